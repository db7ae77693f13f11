/**
 * Test support shared by every module's tests: Netty leak detection for the whole test run.
 */
@NullMarked
package io.github.tokenrefresh.test;

import org.jspecify.annotations.NullMarked;
