package io.github.tokenrefresh.web;

import java.net.URI;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * A base URL that a request URL matches on scheme, host and port exactly and on whole path segments:
 * {@code http://localhost:8081/api} covers {@code /api} and {@code /api/orders}, never {@code /apix},
 * {@code http://localhost:80812} or {@code http://localhost:8081.evil.com}.
 */
final class BaseUrl {

	private final String scheme;

	private final String host;

	private final int port;

	private final String path;

	private BaseUrl(String scheme, String host, int port, String path) {
		this.scheme = scheme;
		this.host = host;
		this.port = port;
		this.path = path;
	}

	static BaseUrl parse(String baseUrl) {
		URI uri = URI.create(baseUrl);
		Assert.isTrue(uri.isAbsolute() && uri.getHost() != null, () -> "'" + baseUrl + "' is not an absolute URL");
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		String path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
		while (path.endsWith("/")) {
			path = path.substring(0, path.length() - 1);
		}
		return new BaseUrl(scheme, uri.getHost().toLowerCase(Locale.ROOT), port(scheme, uri.getPort()), path);
	}

	boolean matches(URI url) {
		String scheme = url.getScheme();
		String host = url.getHost();
		if (scheme == null || host == null || !this.scheme.equalsIgnoreCase(scheme)
				|| !this.host.equalsIgnoreCase(host) || this.port != port(this.scheme, url.getPort())) {
			return false;
		}
		if (this.path.isEmpty()) {
			return true;
		}
		String path = url.getRawPath();
		return path != null && path.startsWith(this.path)
				&& (path.length() == this.path.length() || path.charAt(this.path.length()) == '/');
	}

	int specificity() {
		return this.path.length();
	}

	private static int port(@Nullable String scheme, int port) {
		if (port != -1) {
			return port;
		}
		return "https".equalsIgnoreCase(scheme) ? 443 : 80;
	}

	@Override
	public String toString() {
		return this.scheme + "://" + this.host + ":" + this.port + this.path;
	}

}
