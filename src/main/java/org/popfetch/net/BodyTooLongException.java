package org.popfetch.net;

import java.io.IOException;

/**
 * A multi-line response went on past the octets the reader allows for it. Whatever the server
 * meant, the rest of the response is unread: the connection is out of step and must be dropped.
 */
public final class BodyTooLongException extends IOException {
  private final long limit;

  public BodyTooLongException(long limit) {
    super("more than " + limit + " octets");
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
