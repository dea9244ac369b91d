/**
 * An SMTP (RFC 5321) and LMTP (RFC 2033) client for forwarding fetched mail: EHLO/LHLO with HELO
 * fallback, STARTTLS without silent downgrade, implicit TLS, SASL AUTH, SIZE, 8BITMIME, SMTPUTF8
 * and PIPELINING when offered, per-recipient replies, CRLF and dot-stuffing on the way out.
 *
 * <p>Depends on {@code net} and {@code sasl} only: no configuration, queue or scheduling here.
 */
package org.popfetch.smtp;
