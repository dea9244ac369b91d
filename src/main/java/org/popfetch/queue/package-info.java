/**
 * The persistent retry queue for forwarded mail, after Postfix's: a message is accepted only once
 * its data and envelope are fsynced; each state is a directory and a state change is a rename; the
 * next attempt time is the envelope file's modification time; each message's retries back off by
 * its own attempt count, doubling between a minimum and a maximum
 * (docs/adr/0006-queue-backoff-by-attempts.md); what cannot be delivered within the lifetime is
 * bounced (RFC 3464), never a bounce for a bounce.
 *
 * <p>Depends on {@code smtp} and {@code message} (and the {@code net} and {@code sasl} types they
 * use); knows nothing of YAML or POP3, and reads and writes mail through {@code message}, never
 * Mime4j itself.
 */
package org.popfetch.queue;
