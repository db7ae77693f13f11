/**
 * Demo authorization server and protected API, started inside the sample on loopback ports. Not part of the
 * client side: a real application deletes this package and points application.yml at its real servers.
 */
@NullMarked
package io.github.tokenrefresh.sample.demoserver;

import org.jspecify.annotations.NullMarked;
