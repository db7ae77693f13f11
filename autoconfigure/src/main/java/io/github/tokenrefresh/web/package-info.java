/**
 * The WebClient filter that attaches tokens and recovers from 401 responses.
 */
@NullMarked
package io.github.tokenrefresh.web;

import org.jspecify.annotations.NullMarked;
