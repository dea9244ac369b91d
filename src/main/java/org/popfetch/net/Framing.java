package org.popfetch.net;

/**
 * Where a line of a multi-line response starts, and so where a terminating "." can be.
 *
 * <p>RFC 1939 frames lines with CRLF; a message body that contains a bare LF followed by "." must
 * not end the response early, so {@link #CRLF} is the default. {@link #LF_TOLERANT} is an opt-in
 * for broken servers that end their lines with LF alone.
 */
public enum Framing {
  /** Only CRLF ends a line; a bare LF is body data. */
  CRLF,
  /** LF alone also ends a line. */
  LF_TOLERANT
}
