package org.popfetch.oauth;

/**
 * The account's grant is gone ({@code invalid_grant}: the refresh token was revoked, expired or
 * already spent), or there never was one: only {@code popfetch oauth login ACCOUNT} can help, so
 * retrying is pointless and is not done.
 */
public final class ReauthorizationNeededException extends OAuthException {
  private static final long serialVersionUID = 1L;

  private final boolean neverAuthorized;

  public ReauthorizationNeededException(String account, String why) {
    this(account, why, false);
  }

  private ReauthorizationNeededException(String account, String why, boolean neverAuthorized) {
    super(why + "; run popfetch oauth login " + account);
    this.neverAuthorized = neverAuthorized;
  }

  /** No token is stored for the account: it was never authorized (or its file was removed). */
  public static ReauthorizationNeededException notYet(String account) {
    return new ReauthorizationNeededException(account, "no OAuth authorization yet", true);
  }

  /**
   * Whether nothing was ever authorized, as opposed to a grant the server refused: the first is
   * setting-up not yet done, the second a login refused.
   */
  public boolean neverAuthorized() {
    return neverAuthorized;
  }
}
