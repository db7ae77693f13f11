/**
 * A tiny application that reports its own startup time, heap and threads, run with and without the starter.
 */
@NullMarked
package io.github.tokenrefresh.footprint;

import org.jspecify.annotations.NullMarked;
