package org.popfetch.app;

import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.Secret;
import org.popfetch.config.SecretResolver;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.sasl.Credentials;

/**
 * An account's {@code password:} or {@code oauth-token:}, read from where the configuration says
 * (written in, env, file or command) each time credentials are asked for. Nothing is kept between
 * calls.
 */
final class SecretCredentials implements CredentialSource {
  private final String account;
  private final String user;
  private final String key;
  private final Secret secret;
  private final boolean token;

  SecretCredentials(AccountConfig a) {
    this.account = a.name();
    this.user = a.user();
    this.token = a.oauthToken().isPresent();
    this.key = token ? "oauth-token" : "password";
    this.secret = token ? a.oauthToken().get() : a.password().orElseThrow();
  }

  @Override
  public String user() {
    return user;
  }

  /**
   * Reads the secret now, as {@code config check} and the one-shot commands do before any network
   * traffic.
   *
   * @throws ConfigException if it cannot be had, its message prefixed "account NAME: KEY: ", its
   *     kind telling a file readable by others from the rest
   */
  Credentials resolve() throws ConfigException {
    try {
      return credentials(SecretResolver.resolve(secret));
    } catch (ConfigException e) {
      throw e.within("account " + account + ": " + key + ": ");
    }
  }

  /**
   * Reads the secret now, for one login.
   *
   * @throws CredentialException if it cannot be had: "KEY: " and the reason, never the value
   */
  @Override
  public Credentials credentials() throws CredentialException {
    try {
      return credentials(SecretResolver.resolve(secret));
    } catch (ConfigException e) {
      throw new CredentialException(key + ": " + e.getMessage(), e);
    }
  }

  private Credentials credentials(String value) {
    return token ? new Credentials.OAuthToken(user, value) : new Credentials.Password(user, value);
  }

  @Override
  public String toString() {
    return "SecretCredentials[account=" + account + ", " + key + "=" + secret + "]";
  }
}
