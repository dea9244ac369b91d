/**
 * A POP3 client (RFC 1939) with the extensions real servers offer: CAPA and PIPELINING (RFC 2449),
 * extended response codes (RFC 2449, RFC 3206), STLS (RFC 2595), implicit TLS (RFC 8314) and SASL
 * (RFC 5034).
 *
 * <p>Invariants: no credential is sent before the configured TLS is in place; a connection that
 * fell out of step with the server (timeout, malformed reply, cut connection) is closed without
 * QUIT, so the server deletes nothing; message bodies are streamed, never held whole, and held to
 * their announced size (loosely), to a cap and to a deadline, so a body that is cut short, runs on,
 * or never ends is reported as a desync, an oversize message or a timeout, never handed on as
 * whole.
 *
 * <p>Depends on {@code net} and {@code sasl} only: no configuration, scheduling, metrics or mail
 * parsing here.
 */
package org.popfetch.pop3;
