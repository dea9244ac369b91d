package org.popfetch.net;

import java.net.SocketTimeoutException;

/** The peer kept the connection alive but sent slower than the configured minimum rate. */
public final class PeerTooSlowException extends SocketTimeoutException {
  public PeerTooSlowException(String message) {
    super(message);
  }
}
