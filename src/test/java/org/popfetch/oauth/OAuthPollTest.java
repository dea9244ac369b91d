package org.popfetch.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.FetchPolicy;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;

/**
 * Polls of an account whose access tokens last two seconds, against a POP3 server that accepts only
 * a token the authorization server issued and that has not expired: each poll logs in with a
 * current token, across several expiries and rotations.
 */
class OAuthPollTest {
  @TempDir Path dir;
  SqliteSeenUidStore seen;
  FakeAuthorizationServer idp;
  TokenStore store;
  OAuthTokens tokens;
  final Set<String> tokensSeen = new LinkedHashSet<>();
  final AtomicInteger refused = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    seen = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
    idp = new FakeAuthorizationServer(Clock.systemUTC());
    idp.lifetime = Duration.ofSeconds(2);
    store = TokenStore.inStateDirectory(dir);
    store.save("work", idp.issueRefreshToken(), Clock.systemUTC().instant());
    TokenEndpoint endpoint =
        new TokenEndpoint(
            idp.provider(OAuthProvider.Flow.DEVICE),
            new OAuthClient(idp.clientId, null),
            Duration.ofSeconds(5));
    tokens = new OAuthTokens("work", endpoint, store, Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    idp.close();
    seen.close();
  }

  /** One session: XOAUTH2 in two steps; +OK only for a token valid now. */
  private ScriptedServer pop3(int port) throws Exception {
    return new ScriptedServer(
        port,
        null,
        c -> {
          c.send("+OK ready");
          c.expect("CAPA");
          c.send("+OK", "SASL XOAUTH2", "UIDL", ".");
          c.expect("AUTH XOAUTH2");
          c.send("+ ");
          String payload =
              new String(Base64.getDecoder().decode(c.readLine()), StandardCharsets.UTF_8);
          String prefix = "user=alice@example.org\u0001auth=Bearer ";
          String token =
              payload.startsWith(prefix) && payload.endsWith("\u0001\u0001")
                  ? payload.substring(prefix.length(), payload.length() - 2)
                  : "";
          if (!idp.isValidAccessToken(token)) {
            refused.incrementAndGet();
            c.send("-ERR Authentication failure: unknown user name or bad password.");
            c.readUntilClose();
            return;
          }
          synchronized (tokensSeen) {
            tokensSeen.add(token);
          }
          c.send("+OK User successfully authenticated.");
          c.expect("CAPA");
          c.send("+OK", "SASL XOAUTH2", "UIDL", ".");
          c.expect("LIST");
          c.send("+OK", ".");
          c.expect("UIDL");
          c.send("+OK", ".");
          c.expect("QUIT");
          c.send("+OK bye");
        });
  }

  private PollResult poll(int port) {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            port,
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            true,
            Framing.CRLF,
            32);
    Pop3Account account =
        new Pop3Account(
            "work",
            settings,
            new OAuthCredentialSource("alice@example.org", tokens),
            AuthMethod.AUTO,
            "alice@test");
    try {
      return new AccountPoll(
              account,
              FetchPolicy.deleteMode(),
              seen,
              new MaildirDestination(dir.resolve("Maildir"), "h"),
              new MaildirDestination(dir.resolve("quarantine"), "h"),
              "h",
              Clock.systemUTC(),
              FetchObserver.NONE,
              ProtocolTrace.NONE)
          .run();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void pollsKeepLoggingInAcrossSeveralExpiriesOfTwoSecondTokens() throws Exception {
    int[] port = {0};
    AtomicInteger polls = new AtomicInteger();
    // Poll back to back until five distinct tokens (four refreshes, ~6 s) have been accepted.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              try (ScriptedServer server = pop3(port[0])) {
                port[0] = server.port();
                PollResult r = poll(port[0]);
                polls.incrementAndGet();
                assertThat(r.failure()).as("poll %d", polls.get()).isEmpty();
                server.awaitScript();
              }
              synchronized (tokensSeen) {
                return tokensSeen.size() >= 5;
              }
            });
    assertThat(refused).hasValue(0);
    // Fewer refreshes than polls: the token is kept in memory while it has time left.
    assertThat(idp.refreshRequests.get()).isLessThan(polls.get());
    assertThat(store.read("work").orElseThrow().refreshToken()).isNotEqualTo("RT1");
  }

  @Test
  void aRevokedGrantFailsThePollAsARefusedLoginWithTheLoginCommand() throws Exception {
    store.save("work", "RT-revoked", Clock.systemUTC().instant());
    PollResult r = poll(1); // never connects: the token is asked for first
    PollFailure f = r.failure().orElseThrow();
    assertThat(f.message())
        .isEqualTo(
            "oauth: the authorization server refused the refresh token (invalid_grant: Token has"
                + " been expired or revoked.); run popfetch oauth login work");
    assertThat(idp.refreshRequests).hasValue(1);
    poll(1);
    assertThat(idp.refreshRequests).as("not asked again for a spent token").hasValue(1);
  }
}
