/**
 * Benchmarks of the token filter against a fixed header and Spring Security's OAuth2 filter, on loopback.
 */
@NullMarked
package io.github.tokenrefresh.benchmarks;

import org.jspecify.annotations.NullMarked;
