/**
 * The client side of the sample: code that uses the WebClients the starter configures from application.yml.
 */
@NullMarked
package io.github.tokenrefresh.sample.client;

import org.jspecify.annotations.NullMarked;
