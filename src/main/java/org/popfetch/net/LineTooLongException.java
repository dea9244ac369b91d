package org.popfetch.net;

import java.io.IOException;

/** A peer sent a line longer than the reader's limit; the connection is out of sync. */
public final class LineTooLongException extends IOException {
  private final int limit;

  public LineTooLongException(int limit) {
    super("line longer than " + limit + " octets");
    this.limit = limit;
  }

  public int limit() {
    return limit;
  }
}
