/**
 * Token engine: tokens, the store SPI, the token source SPI and the single-flight refresh.
 */
@NullMarked
package io.github.tokenrefresh.core;

import org.jspecify.annotations.NullMarked;
