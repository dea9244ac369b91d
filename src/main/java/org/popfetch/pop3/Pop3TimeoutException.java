package org.popfetch.pop3;

/** The server stayed silent longer than the read timeout. The connection has been closed. */
public final class Pop3TimeoutException extends Pop3ProtocolException {
  public Pop3TimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
