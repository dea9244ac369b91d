package org.popfetch.sasl;

/**
 * A login's secret could not be had from its source. Nothing was sent to the server.
 *
 * <p>Most such failures are local (a command that failed, a missing file) and say nothing about the
 * credentials themselves. {@link #refused()} marks the other kind: the authority behind the source
 * refused them for good (an OAuth refresh token answered with {@code invalid_grant}), which, like a
 * login the server refused, calls for the owner to act. {@link #awaitsAuthorization()} marks what
 * only the owner's interactive authorization mends (no OAuth grant yet, or one refused).
 */
public final class CredentialException extends Exception {
  private final boolean refused;
  private final boolean awaitsAuthorization;

  /** A local failure: the source could not answer now. */
  public CredentialException(String message) {
    this(message, false, false, null);
  }

  /** A local failure, with what caused it. */
  public CredentialException(String message, Throwable cause) {
    this(message, false, false, cause);
  }

  private CredentialException(
      String message, boolean refused, boolean awaitsAuthorization, Throwable cause) {
    super(message, cause);
    this.refused = refused;
    this.awaitsAuthorization = awaitsAuthorization;
  }

  /**
   * The authority refused the credentials for good; asking again will not help until the owner
   * authorizes anew.
   */
  public static CredentialException refused(String message) {
    return new CredentialException(message, true, true, null);
  }

  /** Nothing was ever authorized: the owner's interactive authorization has not been done yet. */
  public static CredentialException notAuthorized(String message, Throwable cause) {
    return new CredentialException(message, false, true, cause);
  }

  /** Whether only the owner's interactive authorization can mend it. */
  public boolean awaitsAuthorization() {
    return awaitsAuthorization;
  }

  /** Whether the credentials were refused for good rather than not had now. */
  public boolean refused() {
    return refused;
  }
}
