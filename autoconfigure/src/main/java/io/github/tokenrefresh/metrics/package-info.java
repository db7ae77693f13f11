/**
 * Micrometer metrics for token acquisitions, 401 retries, waits and token expiry.
 */
@NullMarked
package io.github.tokenrefresh.metrics;

import org.jspecify.annotations.NullMarked;
