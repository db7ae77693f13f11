/**
 * A non-web application (a CLI tool or batch job) that calls a protected API through the starter's WebClient.
 */
@NullMarked
package io.github.tokenrefresh.nonweb;

import org.jspecify.annotations.NullMarked;
