package org.popfetch.pop3;

/**
 * A message went on past the octets allowed for it, whatever its LIST size said. Its body was not
 * read to the end, so the connection has been dropped (without QUIT): draining a body that may
 * never end is no option. The message itself, and those after it in the batch, were not delivered.
 */
public final class Pop3MessageTooLargeException extends Pop3DesyncException {
  private final long limit;

  public Pop3MessageTooLargeException(String message, int number, long limit, Throwable cause) {
    super(message, number, cause);
    this.limit = limit;
  }

  /** The message that was too large. */
  public int number() {
    return firstUnsafe();
  }

  /** The octets it was allowed; it sent more. */
  public long limit() {
    return limit;
  }
}
