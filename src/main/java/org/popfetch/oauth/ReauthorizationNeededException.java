package org.popfetch.oauth;

/**
 * The account's grant is gone ({@code invalid_grant}: the refresh token was revoked, expired or
 * already spent, or there never was one): only {@code popfetch oauth login ACCOUNT} can help, so
 * retrying is pointless and is not done.
 */
public final class ReauthorizationNeededException extends OAuthException {
  private static final long serialVersionUID = 1L;

  public ReauthorizationNeededException(String account, String why) {
    super(why + "; run popfetch oauth login " + account);
  }
}
