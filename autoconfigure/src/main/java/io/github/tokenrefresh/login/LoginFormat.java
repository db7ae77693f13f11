package io.github.tokenrefresh.login;

/**
 * How a login or refresh request body is encoded.
 */
public enum LoginFormat {

	/** A JSON object ({@code application/json}). */
	JSON,

	/** Form fields ({@code application/x-www-form-urlencoded}). */
	FORM

}
