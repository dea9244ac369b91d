package org.popfetch.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.OAuthConfig;
import org.popfetch.config.Secret;
import org.popfetch.config.SecretResolver;
import org.popfetch.oauth.OAuthClient;
import org.popfetch.oauth.OAuthCredentialSource;
import org.popfetch.oauth.OAuthException;
import org.popfetch.oauth.OAuthProvider;
import org.popfetch.oauth.OAuthTokens;
import org.popfetch.oauth.TokenEndpoint;
import org.popfetch.oauth.TokenStore;

/**
 * The OAuth accounts of one process and their tokens: one {@link OAuthTokens} per account, so that
 * an access token is used for its lifetime and refreshed before it ends, rather than asked for at
 * every poll. The service keeps one of these for its life: an account whose oauth settings are the
 * same after a reload keeps its tokens (and with them a refused grant it need not ask about again);
 * a one-shot command makes its own.
 */
final class OAuthAccounts {
  /** What an account's tokens depend on; another value makes new tokens. */
  private record Key(OAuthConfig oauth, Duration timeout, Path stateDirectory) {}

  private record Entry(Key key, OAuthTokens tokens) {}

  private final Map<String, Entry> accounts = new ConcurrentHashMap<>();
  private final Clock clock;

  OAuthAccounts(Clock clock) {
    this.clock = clock;
  }

  /**
   * The account's login credentials from its tokens: the tokens from before if its oauth settings
   * did not change.
   *
   * @param a an account with an {@code oauth:} block
   * @param secrets {@link AccountRun.Secrets#NOW} reads the client secret now (an error is one line
   *     before any traffic); {@link AccountRun.Secrets#AT_EACH_LOGIN} at each token request
   * @throws ConfigException if the client secret is read now and cannot be had ("account NAME:
   *     oauth.client-secret: ...")
   */
  OAuthCredentialSource credentials(
      AccountConfig a, Path stateDirectory, AccountRun.Secrets secrets) throws ConfigException {
    return new OAuthCredentialSource(a.user(), tokens(a, stateDirectory, secrets));
  }

  /**
   * The account's tokens, as {@link #credentials} uses them.
   *
   * @throws ConfigException as {@link #credentials}
   */
  OAuthTokens tokens(AccountConfig a, Path stateDirectory, AccountRun.Secrets secrets)
      throws ConfigException {
    OAuthConfig o = a.oauth().orElseThrow();
    Key key = new Key(o, a.timeout(), stateDirectory);
    Entry before = accounts.get(a.name());
    if (before != null && before.key().equals(key)) {
      return before.tokens();
    }
    OAuthTokens tokens =
        new OAuthTokens(
            a.name(), endpoint(a, secrets), TokenStore.inStateDirectory(stateDirectory), clock);
    accounts.put(a.name(), new Entry(key, tokens));
    return tokens;
  }

  /** Forgets the accounts not named (removed by a reload). */
  void retain(Collection<String> names) {
    accounts.keySet().retainAll(names);
  }

  /** Each account's tokens, by name. */
  Map<String, OAuthTokens> all() {
    Map<String, OAuthTokens> all = new LinkedHashMap<>();
    accounts.forEach((name, e) -> all.put(name, e.tokens()));
    return all;
  }

  /**
   * The account's token endpoint client.
   *
   * @throws ConfigException as {@link #credentials}
   */
  static TokenEndpoint endpoint(AccountConfig a, AccountRun.Secrets secrets)
      throws ConfigException {
    OAuthConfig o = a.oauth().orElseThrow();
    return new TokenEndpoint(provider(o), client(a.name(), o, secrets), a.timeout());
  }

  /** The preset's endpoints and scope, or the generic block's own. */
  static OAuthProvider provider(OAuthConfig o) {
    return switch (o.provider()) {
      // The reader accepts only tenants the preset accepts.
      case MICROSOFT -> OAuthProvider.microsoft(o.tenant().orElse(OAuthConfig.DEFAULT_TENANT));
      case GOOGLE -> OAuthProvider.google();
      case GENERIC ->
          new OAuthProvider(
              "generic",
              o.authorizationEndpoint().orElse(null),
              o.tokenEndpoint().orElseThrow(),
              o.deviceEndpoint().orElse(null),
              o.scope().orElseThrow(),
              o.flow().orElseThrow() == OAuthConfig.Flow.DEVICE
                  ? OAuthProvider.Flow.DEVICE
                  : OAuthProvider.Flow.LOOPBACK);
    };
  }

  private static OAuthClient client(String account, OAuthConfig o, AccountRun.Secrets secrets)
      throws ConfigException {
    if (o.clientSecret().isEmpty()) {
      return new OAuthClient(o.clientId(), null);
    }
    Secret secret = o.clientSecret().get();
    String atCheck = "account " + account + ": oauth.client-secret: ";
    if (secrets == AccountRun.Secrets.NOW) {
      String value;
      try {
        value = SecretResolver.resolve(secret);
      } catch (ConfigException e) {
        throw e.within(atCheck);
      }
      return new OAuthClient(o.clientId(), () -> value);
    }
    return new OAuthClient(
        o.clientId(),
        () -> {
          try {
            return SecretResolver.resolve(secret);
          } catch (ConfigException e) {
            throw new OAuthException("oauth.client-secret: " + e.getMessage(), e);
          }
        });
  }
}
