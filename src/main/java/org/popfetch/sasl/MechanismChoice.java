package org.popfetch.sasl;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the SASL mechanism for a login: the strongest that both sides support, or the one the admin
 * named. There is no fallback from a named or token-based mechanism to a weaker one: an attacker
 * who strips a mechanism from the server's list gets a refused login, not a password in a weaker
 * form.
 */
public final class MechanismChoice {
  /** Password mechanisms, strongest first. */
  static final List<String> PASSWORD_PREFERENCE = List.of("CRAM-MD5", "PLAIN", "LOGIN");

  /** Token mechanisms, standard first. */
  static final List<String> TOKEN_PREFERENCE = List.of("OAUTHBEARER", "XOAUTH2");

  private MechanismChoice() {}

  /**
   * The best mechanism from {@code offered} for these credentials, if any.
   *
   * @param offered mechanism names the server advertised (any case)
   */
  public static Optional<String> strongest(Set<String> offered, Credentials credentials) {
    List<String> preference =
        credentials instanceof Credentials.OAuthToken ? TOKEN_PREFERENCE : PASSWORD_PREFERENCE;
    for (String name : preference) {
      for (String o : offered) {
        if (o.equalsIgnoreCase(name)) {
          return Optional.of(name);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A fresh mechanism instance by name.
   *
   * @throws SaslException if the name is unknown or does not fit the credentials
   */
  public static SaslMechanism create(String name, Credentials credentials) throws SaslException {
    String upper = name.toUpperCase(Locale.ROOT);
    if (credentials instanceof Credentials.Password p) {
      return switch (upper) {
        case "PLAIN" -> new PlainMechanism(p);
        case "LOGIN" -> new LoginMechanism(p);
        case "CRAM-MD5" -> new CramMd5Mechanism(p);
        case "XOAUTH2", "OAUTHBEARER" ->
            throw new SaslException(upper + " needs an OAuth access token, not a password");
        default -> throw new SaslException("unsupported SASL mechanism " + name);
      };
    }
    Credentials.OAuthToken t = (Credentials.OAuthToken) credentials;
    return switch (upper) {
      case "XOAUTH2" -> new XOAuth2Mechanism(t);
      case "OAUTHBEARER" -> new OAuthBearerMechanism(t);
      default -> throw new SaslException(upper + " cannot be used with an OAuth access token");
    };
  }
}
