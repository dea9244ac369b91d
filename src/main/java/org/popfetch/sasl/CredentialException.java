package org.popfetch.sasl;

/**
 * A login's secret could not be had from its source. Nothing was sent to the server.
 *
 * <p>Most such failures are local (a command that failed, a missing file) and say nothing about the
 * credentials themselves. {@link #refused()} marks the other kind: the authority behind the source
 * refused them for good (an OAuth refresh token answered with {@code invalid_grant}), which, like a
 * login the server refused, calls for the owner to act.
 */
public final class CredentialException extends Exception {
  private final boolean refused;

  /** A local failure: the source could not answer now. */
  public CredentialException(String message) {
    this(message, false, null);
  }

  /** A local failure, with what caused it. */
  public CredentialException(String message, Throwable cause) {
    this(message, false, cause);
  }

  private CredentialException(String message, boolean refused, Throwable cause) {
    super(message, cause);
    this.refused = refused;
  }

  /** The authority refused the credentials for good; asking again will not help. */
  public static CredentialException refused(String message) {
    return new CredentialException(message, true, null);
  }

  /** Whether the credentials were refused for good rather than not had now. */
  public boolean refused() {
    return refused;
  }
}
