package org.popfetch.pop3;

/**
 * The server's answers no longer line up with the commands: a body far shorter or longer than its
 * size, a status line that is not one, bytes nobody asked for. The likely cause is a server that
 * does not dot-stuff a message holding a lone "." line (RFC 1939 section 3), and then what looks
 * like the next answer may be text from inside a message. The connection has been closed without
 * QUIT, so nothing marked for deletion in this session is deleted.
 *
 * <p>{@link #firstUnsafe()} is the first message of the batch whose body cannot be trusted to be
 * whole: that one and every message after it in the batch must not be delivered. The messages
 * before it were received whole, with sizes that fit.
 */
public class Pop3DesyncException extends Pop3ProtocolException {
  private final int firstUnsafe;

  public Pop3DesyncException(String message, int firstUnsafe) {
    super(message);
    this.firstUnsafe = firstUnsafe;
  }

  public Pop3DesyncException(String message, int firstUnsafe, Throwable cause) {
    super(message, cause);
    this.firstUnsafe = firstUnsafe;
  }

  /** The message number from which on (in batch order) nothing may be delivered. */
  public int firstUnsafe() {
    return firstUnsafe;
  }
}
