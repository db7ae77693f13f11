/**
 * Calls to token endpoints: a dedicated WebClient, timeouts, bounded retries and error mapping.
 */
@NullMarked
package io.github.tokenrefresh.endpoint;

import org.jspecify.annotations.NullMarked;
