/**
 * Auto-configuration for token-refresh.
 */
@NullMarked
package io.github.tokenrefresh.autoconfigure;

import org.jspecify.annotations.NullMarked;
