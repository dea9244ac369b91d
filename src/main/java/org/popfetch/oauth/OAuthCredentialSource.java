package org.popfetch.oauth;

import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.sasl.Credentials;

/**
 * An account's credentials from its OAuth tokens: at each login, the current access token (kept in
 * memory within its lifetime, refreshed shortly before it expires).
 *
 * <p>{@code invalid_grant} is reported as {@link CredentialException#refused}: the account needs
 * {@code popfetch oauth login ACCOUNT}, and asking again will not help. No stored token at all is a
 * plain {@link CredentialException} ("no OAuth authorization yet; run popfetch oauth login
 * ACCOUNT"): the setting up is not finished, no server refused anything.
 */
public final class OAuthCredentialSource implements CredentialSource {
  private final String user;
  private final OAuthTokens tokens;

  public OAuthCredentialSource(String user, OAuthTokens tokens) {
    this.user = user;
    this.tokens = tokens;
  }

  @Override
  public String user() {
    return user;
  }

  /**
   * The user and the current access token.
   *
   * @throws CredentialException "oauth: " and why; refused if the grant is gone
   */
  @Override
  public Credentials credentials() throws CredentialException {
    try {
      return new Credentials.OAuthToken(user, tokens.accessToken());
    } catch (ReauthorizationNeededException e) {
      if (e.neverAuthorized()) {
        // Setting up is not finished: no server refused anything, so no rest and no notice.
        throw CredentialException.notAuthorized(e.getMessage(), e);
      }
      throw CredentialException.refused("oauth: " + e.getMessage());
    } catch (OAuthException e) {
      throw new CredentialException("oauth: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "OAuthCredentialSource[user=" + user + "]";
  }
}
