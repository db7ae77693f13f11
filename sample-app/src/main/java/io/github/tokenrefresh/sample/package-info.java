/**
 * The token-refresh sample application.
 */
@NullMarked
package io.github.tokenrefresh.sample;

import org.jspecify.annotations.NullMarked;
