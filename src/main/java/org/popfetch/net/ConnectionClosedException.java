package org.popfetch.net;

import java.io.EOFException;

/** The peer closed the connection where the protocol expected more. */
public final class ConnectionClosedException extends EOFException {
  public ConnectionClosedException(String message) {
    super(message);
  }
}
