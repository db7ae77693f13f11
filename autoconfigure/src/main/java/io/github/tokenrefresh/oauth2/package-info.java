/**
 * Token sources for OAuth 2.0 grants, built on Spring Security's reactive token response clients.
 */
@NullMarked
package io.github.tokenrefresh.oauth2;

import org.jspecify.annotations.NullMarked;
