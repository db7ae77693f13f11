/**
 * Application events published when a token is obtained or rejected.
 */
@NullMarked
package io.github.tokenrefresh.event;

import org.jspecify.annotations.NullMarked;
