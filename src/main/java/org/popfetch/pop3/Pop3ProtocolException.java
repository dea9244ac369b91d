package org.popfetch.pop3;

/**
 * The server broke the protocol or the connection: a malformed or over-long reply, a cut
 * connection, a response that does not fit the command. The connection has been closed without
 * QUIT, so nothing marked for deletion in this session is deleted.
 */
public class Pop3ProtocolException extends Pop3Exception {
  public Pop3ProtocolException(String message) {
    super(message);
  }

  public Pop3ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
