package io.github.tokenrefresh.footprint;

import java.lang.management.ManagementFactory;
import java.util.TreeSet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts, prints one line of figures and exits. It never references the starter, so the same classes run with and
 * without it: only the class path differs (see measure.sh).
 * <p>
 * Startup is the JVM's uptime when {@code run} returns (class loading included, as a user waits for it); heap is
 * the heap in use after a full GC at that point; threads are the live threads' names, digits folded, so that the
 * pools started before any request can be compared.
 */
@SpringBootApplication
public class FootprintApplication {

	public static void main(String[] args) {
		ConfigurableApplicationContext context = SpringApplication.run(FootprintApplication.class, args);
		long startupMillis = ManagementFactory.getRuntimeMXBean().getUptime();
		System.gc();
		long heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		TreeSet<String> threads = new TreeSet<>();
		Thread.getAllStackTraces().keySet().forEach((thread) -> threads.add(thread.getName().replaceAll("\\d+", "N")));
		System.out.println("FOOTPRINT startup-ms=" + startupMillis + " heap-bytes=" + heapBytes + " beans="
				+ context.getBeanDefinitionCount() + " threads=" + String.join(",", threads));
		context.close();
	}

}
