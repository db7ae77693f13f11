/**
 * Token sources for in-house login and refresh endpoints.
 */
@NullMarked
package io.github.tokenrefresh.login;

import org.jspecify.annotations.NullMarked;
