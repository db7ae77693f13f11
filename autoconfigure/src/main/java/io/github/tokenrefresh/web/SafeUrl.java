package io.github.tokenrefresh.web;

import java.net.URI;

/**
 * The part of a request URL that is safe to log: scheme, host, port and path. User info and query strings may carry
 * credentials (passwords, api keys, signatures), so a log says where a request went, not all of it.
 */
final class SafeUrl {

	private SafeUrl() {
	}

	static String of(URI url) {
		// getHost, not getRawAuthority: the authority keeps "user:password@".
		return url.getScheme() + "://" + url.getHost() + ((url.getPort() != -1) ? ":" + url.getPort() : "")
				+ ((url.getRawPath() != null) ? url.getRawPath() : "");
	}

}
