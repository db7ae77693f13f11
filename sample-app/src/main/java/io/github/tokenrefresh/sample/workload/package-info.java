/**
 * The demo workload: concurrent callers through both WebClients and the console report of what happened.
 */
@NullMarked
package io.github.tokenrefresh.sample.workload;

import org.jspecify.annotations.NullMarked;
