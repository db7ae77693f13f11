/**
 * Redis token store: one token per fleet, refreshed once per fleet, served from a near cache.
 */
@NullMarked
package io.github.tokenrefresh.redis;

import org.jspecify.annotations.NullMarked;
