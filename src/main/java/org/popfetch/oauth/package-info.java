/**
 * OAuth 2.0 for the accounts that log in with a bearer token: provider presets (Microsoft, Google,
 * generic), the one-time interactive authorization (the device grant of RFC 8628, the authorization
 * code with PKCE and a loopback redirect of RFC 8252), the token endpoint client (refresh,
 * rotation), and the per-account token store in the state directory.
 *
 * <p>Refresh tokens are secrets: they are written only to the token store (mode 0600, atomically),
 * never logged, and no exception message carries one. Everything an authorization server answers is
 * bounded ({@link JsonObject#MAX_BYTES}) and escaped before it is shown.
 */
package org.popfetch.oauth;
