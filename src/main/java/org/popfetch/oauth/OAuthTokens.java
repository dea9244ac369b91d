package org.popfetch.oauth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One account's access token: kept in memory while it has time left, refreshed shortly before it
 * expires. Safe for concurrent use (one refresh at a time).
 *
 * <p>Order of a refresh: the refresh grant is sent; if the answer carries a new refresh token it is
 * saved in the {@link TokenStore} (durably) before the new access token is kept or handed out, so a
 * crash at any point leaves a usable refresh token on disk. If saving fails, the access token is
 * not used.
 *
 * <p>After {@code invalid_grant} the spent refresh token is remembered, in memory and in a note in
 * the store (its hash, not the token): later calls, in this process or another, fail at once
 * without asking the server again, until a new login has stored another token.
 */
public final class OAuthTokens {
  /** The most time before expiry at which a token is refreshed. */
  static final Duration MAX_MARGIN = Duration.ofMinutes(5);

  private final String account;
  private final TokenEndpoint endpoint;
  private final TokenStore store;
  private final Clock clock;

  private String accessToken;
  private Instant expires;
  private Instant refreshBy;
  private Instant lastRefresh;
  private String refused;
  private long failures;

  public OAuthTokens(String account, TokenEndpoint endpoint, TokenStore store, Clock clock) {
    this.account = account;
    this.endpoint = endpoint;
    this.store = store;
    this.clock = clock;
  }

  /** What is known of the account's tokens, for status and metrics. Holds no token. */
  public record State(
      boolean authorized,
      Optional<Instant> expires,
      Optional<Instant> lastRefresh,
      long failures) {}

  /**
   * An access token valid for a while yet: the one in memory, or a fresh one.
   *
   * @throws ReauthorizationNeededException if there is no stored token or the server answered
   *     {@code invalid_grant} (now or for this same stored token before)
   * @throws OAuthException if the refresh failed otherwise, or its new refresh token could not be
   *     saved
   */
  public synchronized String accessToken() throws OAuthException {
    Instant now = clock.instant();
    if (accessToken != null && now.isBefore(refreshBy)) {
      return accessToken;
    }
    accessToken = null;
    TokenStore.Stored stored =
        store.read(account).orElseThrow(() -> ReauthorizationNeededException.notYet(account));
    if (stored.refreshToken().equals(refused)
        || store.refusedAt(account, stored.refreshToken()).isPresent()) {
      throw new ReauthorizationNeededException(
          account, "the stored refresh token was refused before (invalid_grant)");
    }
    TokenResponse answer;
    try {
      answer = endpoint.refresh(account, stored.refreshToken());
    } catch (ReauthorizationNeededException e) {
      refused = stored.refreshToken();
      failures++;
      try {
        // For the next process too (popfetch poll from a timer): it must not send it again.
        store.markRefused(account, stored.refreshToken(), now);
      } catch (OAuthException notNoted) {
        // This process still remembers it; the refusal is what the caller must hear of.
      }
      throw e;
    } catch (OAuthException e) {
      failures++;
      throw e;
    }
    if (answer.refreshToken() != null && !answer.refreshToken().equals(stored.refreshToken())) {
      try {
        store.save(account, answer.refreshToken(), now);
      } catch (OAuthException e) {
        failures++;
        throw e;
      }
    }
    Instant issued = now;
    accessToken = answer.accessToken();
    expires = issued.plus(answer.lifetime());
    refreshBy = expires.minus(margin(answer.lifetime()));
    lastRefresh = issued;
    return accessToken;
  }

  /** A quarter of the lifetime, at most {@link #MAX_MARGIN}. */
  static Duration margin(Duration lifetime) {
    Duration quarter = lifetime.dividedBy(4);
    return quarter.compareTo(MAX_MARGIN) < 0 ? quarter : MAX_MARGIN;
  }

  /** What the metrics show: known in memory, so it never reads the store nor fails. */
  public record Times(Optional<Instant> expires, Optional<Instant> lastRefresh, long failures) {}

  /** The times of the access token held and of the last refresh, and the failed refreshes. */
  public synchronized Times times() {
    return new Times(
        accessToken == null ? Optional.empty() : Optional.of(expires),
        Optional.ofNullable(lastRefresh),
        failures);
  }

  /** The account's state, reading whether a token is stored. */
  public synchronized State state() throws OAuthException {
    boolean authorized = store.read(account).isPresent();
    return new State(
        authorized,
        accessToken == null ? Optional.empty() : Optional.of(expires),
        Optional.ofNullable(lastRefresh),
        failures);
  }
}
