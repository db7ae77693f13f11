/**
 * Actuator support: the tokens endpoint and the health contributor.
 */
@NullMarked
package io.github.tokenrefresh.actuate;

import org.jspecify.annotations.NullMarked;
