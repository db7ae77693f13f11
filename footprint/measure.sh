#!/usr/bin/env bash
# What the starter adds to an application that already has spring-boot-starter and spring-boot-starter-webclient:
# the jars it brings, and the startup time, heap after start and threads of a tiny application with two configured
# clients, over N runs with and without it (taking turns, so that a change in background load hits both alike).
#
#   footprint/measure.sh [runs]        (default 15 runs of each; prints a markdown table for the README)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
main=io.github.tokenrefresh.footprint.FootprintApplication
skip=(-DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true)

mvn -B -q -pl footprint -am package "${skip[@]}"
mvn -B -q -pl footprint -am package "${skip[@]}" -Pwith-starter
base_cp=$(cat footprint/target/classpath-baseline.txt)
with_cp=$(cat footprint/target/classpath-with-starter.txt)

jars() { tr ':' '\n' <<<"$1" | sort; }
added=$(comm -13 <(jars "$base_cp") <(jars "$with_cp"))
added_count=$(grep -c . <<<"$added")
added_bytes=$(xargs stat -c %s <<<"$added" | paste -sd+ | bc)
base_count=$(jars "$base_cp" | grep -c .)

work=footprint/target/runs
rm -rf "$work" && mkdir -p "$work"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run() { # variant classpath
	java -cp "footprint/target/classes:$2" "$main" | grep '^FOOTPRINT' >>"$work/$1.txt"
}
run baseline "$base_cp" # one warm-up run of each: the first JVM start also pays for a cold page cache
run with-starter "$with_cp"
: >"$work/baseline.txt" && : >"$work/with-starter.txt"
for ((i = 0; i < runs; i++)); do
	run baseline "$base_cp"
	run with-starter "$with_cp"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

field() { sed -E "s/.* $2=([^ ]*).*/\1/" "$work/$1.txt" | sort -n; }
# median (lowest-highest) of a sorted column
stats() { awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "%.0f (%.0f-%.0f)", m / d, v[1] / d, v[NR] / d }' d="$1"; }
median() { awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib=1048576
# Per round, with minus baseline of the two runs that took turns: a change of background load between rounds then
# cancels out, which the difference of the two medians does not do.
unsorted() { sed -E "s/.* $2=([^ ]*).*/\1/" "$work/$1.txt"; }
startup_delta=$(paste -d- <(unsorted with-starter startup-ms) <(unsorted baseline startup-ms) | bc | sort -n | stats 1)
heap_delta=$(echo "($(field with-starter heap-bytes | median) - $(field baseline heap-bytes | median)) / $mib" | bc -l)
threads() { sed -E 's/.* threads=//' "$work/$1.txt" | tail -1 | tr ',' '\n'; }
extra_threads=$(comm -13 <(threads baseline) <(threads with-starter) | paste -sd, -)

echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), $runs runs of each, load average (1, 5, 15 min) $load_before before and"
echo "$load_after after,"
echo "$(nproc) cores, $(java -version 2>&1 | head -1)."
echo
echo "| | spring-boot-starter + spring-boot-starter-webclient | + token-refresh starter | Added |"
echo "|---|---:|---:|---:|"
echo "| Jars | $base_count | $((base_count + added_count)) | $added_count ($(echo "$added_bytes / $mib" | bc -l | xargs printf '%.1f') MB) |"
echo "| Startup, median (lowest-highest), ms | $(field baseline startup-ms | stats 1) | $(field with-starter startup-ms | stats 1) | $startup_delta per round |"
echo "| Heap after start and a full GC, median (lowest-highest), MB | $(field baseline heap-bytes | stats $mib) | $(field with-starter heap-bytes | stats $mib) | $(printf '%.1f' "$heap_delta") |"
echo "| Beans | $(field baseline beans | median) | $(field with-starter beans | median) | |"
echo
echo "Threads after start that the baseline does not have: ${extra_threads:-none}"
echo
echo "Jars added:"
while read -r jar; do echo "- $(basename "$jar") ($(stat -c %s "$jar" | awk '{ printf "%.0f", $1 / 1024 }') KB)"; done <<<"$added"
