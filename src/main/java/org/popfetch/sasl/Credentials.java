package org.popfetch.sasl;

/**
 * Who logs in and with what secret. {@link #toString()} never shows the secret.
 *
 * <p>Credentials in hand are a {@link CredentialSource} that always gives them: for a one-shot run,
 * whose secrets were resolved when it started, and for tests.
 */
public sealed interface Credentials extends CredentialSource {
  @Override
  String user();

  @Override
  default Credentials credentials() {
    return this;
  }

  /** A user name and password. */
  record Password(String user, String password) implements Credentials {
    @Override
    public String toString() {
      return "Password[user=" + user + ", password=****]";
    }
  }

  /** A user name and an OAuth 2.0 access token, obtained by the caller. */
  record OAuthToken(String user, String accessToken) implements Credentials {
    @Override
    public String toString() {
      return "OAuthToken[user=" + user + ", accessToken=****]";
    }
  }
}
