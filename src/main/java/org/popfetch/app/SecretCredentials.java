package org.popfetch.app;

import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.Secret;
import org.popfetch.config.SecretResolver;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.sasl.Credentials;

/**
 * An account's {@code password:} or {@code oauth-token:}, or an SMTP destination's {@code
 * password:}, read from where the configuration says (written in, env, file or command) each time
 * credentials are asked for. Nothing is kept between calls.
 */
final class SecretCredentials implements CredentialSource {
  /** What a failure at a login is prefixed with: "password: ", "smtp HOST: password: ". */
  private final String atLogin;

  /** What a failure at a check is prefixed with: "account NAME: password: ". */
  private final String atCheck;

  private final String user;
  private final Secret secret;
  private final boolean token;

  /** The POP3 account's password or OAuth token. */
  SecretCredentials(AccountConfig a) {
    this.user = a.user();
    this.token = a.oauthToken().isPresent();
    String key = token ? "oauth-token" : "password";
    this.atLogin = key + ": ";
    this.atCheck = "account " + a.name() + ": " + atLogin;
    this.secret = token ? a.oauthToken().get() : a.password().orElseThrow();
  }

  /** An SMTP or LMTP destination's password, for its {@code user}. */
  SecretCredentials(String host, String user, Secret password) {
    this.user = user;
    this.token = false;
    this.atLogin = "smtp " + host + ": password: ";
    this.atCheck = atLogin;
    this.secret = password;
  }

  @Override
  public String user() {
    return user;
  }

  /**
   * Reads the secret now, as {@code config check} and the one-shot commands do before any network
   * traffic.
   *
   * @throws ConfigException if it cannot be had, its message prefixed "account NAME: KEY: " (for an
   *     SMTP destination "smtp HOST: password: "), its kind telling a file readable by others from
   *     the rest
   */
  Credentials resolve() throws ConfigException {
    try {
      return credentials(SecretResolver.resolve(secret));
    } catch (ConfigException e) {
      throw e.within(atCheck);
    }
  }

  /**
   * Reads the secret now, for one login.
   *
   * @throws CredentialException if it cannot be had: "KEY: " (for an SMTP destination "smtp HOST:
   *     password: ") and the reason, never the value
   */
  @Override
  public Credentials credentials() throws CredentialException {
    try {
      return credentials(SecretResolver.resolve(secret));
    } catch (ConfigException e) {
      throw new CredentialException(atLogin + e.getMessage(), e);
    }
  }

  private Credentials credentials(String value) {
    return token ? new Credentials.OAuthToken(user, value) : new Credentials.Password(user, value);
  }

  @Override
  public String toString() {
    return "SecretCredentials[" + atCheck + secret + "]";
  }
}
