package org.popfetch.oauth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;

/**
 * popfetch's OAuth logins against a real Dovecot whose oauth2 passdb asks the fake authorization
 * server's introspection endpoint whether each bearer token is active: XOAUTH2 and OAUTHBEARER with
 * a fresh token, an expired token refused by Dovecot itself, and the next poll refreshing it. The
 * mail comes through byte for byte.
 */
class OAuthDovecotIT {
  static final String USER = "alice@example.org";

  @TempDir static Path shared;
  static FakeAuthorizationServer idp;
  static DovecotServer dovecot;
  static Path caFile;

  @TempDir Path dir;
  SqliteSeenUidStore seen;
  TokenStore store;
  OAuthTokens tokens;
  String firstRefreshToken;

  @BeforeAll
  static void start() throws Exception {
    idp = new FakeAuthorizationServer(Clock.systemUTC());
    idp.username = USER;
    TestPki pki = TestPki.create("popfetch oauth test CA");
    caFile = pki.writeCaPem(shared.resolve("ca.pem"));
    // Dovecot's users have no domain: auth_username_format (%Ln) maps alice@example.org to alice,
    // and the oauth2 passdb's username_format does the same to the introspected user name.
    dovecot =
        DovecotServer.startWithOAuth2(
            DovecotServer.users("alice", "not-used", "bob", "not-used"),
            pki.issue("127.0.0.1"),
            idp.uri("/introspect"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  @BeforeEach
  void account() throws Exception {
    idp.lifetime = Duration.ofSeconds(3600);
    idp.username = USER;
    seen = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
    store = TokenStore.inStateDirectory(dir);
    firstRefreshToken = idp.issueRefreshToken();
    store.save("work", firstRefreshToken, Clock.systemUTC().instant());
    tokens = new OAuthTokens("work", endpoint(), store, Clock.systemUTC());
  }

  @AfterEach
  void closeStore() throws Exception {
    seen.close();
  }

  private static TokenEndpoint endpoint() {
    return new TokenEndpoint(
        idp.provider(OAuthProvider.Flow.DEVICE),
        new OAuthClient(idp.clientId, null),
        Duration.ofSeconds(5));
  }

  private static Pop3Settings settings() {
    return new Pop3Settings(
        "127.0.0.1",
        dovecot.pop3sPort(),
        TlsMode.IMPLICIT,
        TlsTrust.withCaFile(caFile),
        new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
        false,
        Framing.CRLF,
        32);
  }

  private PollResult poll(AuthMethod method) throws Exception {
    Pop3Account account =
        new Pop3Account(
            "work", settings(), new OAuthCredentialSource(USER, tokens), method, "alice@test");
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
  }

  /** What the Maildir holds, each file without popfetch's trace fields. */
  private List<String> delivered() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("Maildir").resolve("new"))) {
      return files
          .map(
              f -> {
                try {
                  return Mail.withoutTraceFields(f);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              })
          .toList();
    }
  }

  private static String tricky(String id) {
    return "From: x@example.org\n"
        + "Subject: "
        + id
        + "\nMessage-ID: <"
        + id
        + "@popfetch.test>\n\n"
        + ".\n"
        + "..\n"
        + "From the start\n"
        + ">From quoted\n"
        + "8bit \u00e9\u00ff and NUL \0 here\n"
        + "no newline at the end";
  }

  @Test
  void xoauth2WithAFreshTokenFetchesTheMailByteForByte() throws Exception {
    dovecot.deliver("alice", tricky("x1").getBytes(ISO_8859_1));
    PollResult r = poll(AuthMethod.XOAUTH2);
    assertThat(r.failure()).as(dovecot.logs()).isEmpty();
    assertThat(r.fetched()).isEqualTo(1);
    assertThat(delivered()).containsExactly(tricky("x1") + "\n");
    assertThat(dovecot.messageCount("alice")).isZero();
    assertThat(idp.introspections.get()).isPositive();
    assertThat(dovecot.logs()).contains("Login: user=<alice>, method=XOAUTH2");
  }

  @Test
  void oauthbearerWithAFreshTokenFetchesTheMailByteForByte() throws Exception {
    dovecot.deliver("alice", tricky("o1").getBytes(ISO_8859_1));
    PollResult r = poll(AuthMethod.OAUTHBEARER);
    assertThat(r.failure()).as(dovecot.logs()).isEmpty();
    assertThat(delivered()).containsExactly(tricky("o1") + "\n");
    assertThat(dovecot.messageCount("alice")).isZero();
    assertThat(dovecot.logs()).contains("Login: user=<alice>, method=OAUTHBEARER");
  }

  @Test
  void anExpiredTokenIsRefusedByDovecotAndTheNextPollRefreshesIt() throws Exception {
    idp.lifetime = Duration.ofSeconds(2);
    String first = tokens.accessToken();
    await().atMost(Duration.ofSeconds(10)).until(() -> !idp.isValidAccessToken(first));
    // Dovecot itself refuses the token once the authorization server calls it inactive.
    for (AuthMethod method : List.of(AuthMethod.XOAUTH2, AuthMethod.OAUTHBEARER)) {
      try (Pop3Client client = Pop3Client.connect(settings(), ProtocolTrace.NONE)) {
        // Dovecot answers a refused bearer token with an error challenge first; popfetch answers
        // it (an empty line, or AQ== for OAUTHBEARER) and gets Dovecot's -ERR, not a timeout.
        assertThatThrownBy(() -> client.login(new Credentials.OAuthToken(USER, first), method))
            .as(method.name())
            .isInstanceOf(Pop3Exception.class)
            .hasMessageContaining("-ERR [AUTH] Authentication failed.");
      }
    }
    assertThat(dovecot.logs()).contains("oauth2 failed: Introspection failed");

    // The refreshed token lives an hour, as real ones do: after refused logins Dovecot delays the
    // next one from the same address (auth penalty, up to 15 s), longer than a 2 s token lives.
    idp.lifetime = Duration.ofSeconds(3600);
    dovecot.deliver("alice", tricky("e1").getBytes(ISO_8859_1));
    int refreshes = idp.refreshRequests.get();
    PollResult r = poll(AuthMethod.XOAUTH2);
    assertThat(r.failure()).as(dovecot.logs()).isEmpty();
    assertThat(idp.refreshRequests.get()).isEqualTo(refreshes + 1);
    assertThat(delivered()).containsExactly(tricky("e1") + "\n");
    assertThat(store.read("work").orElseThrow().refreshToken())
        .as("the rotated refresh token is stored")
        .isNotEqualTo(firstRefreshToken);
  }

  @Test
  void aTokenIssuedForAnotherMailboxIsRefused() throws Exception {
    idp.username = "bob@example.org";
    PollResult r = poll(AuthMethod.XOAUTH2);
    assertThat(r.failure()).map(PollFailure::kind).contains(PollFailure.Kind.AUTH);
    assertThat(dovecot.logs()).contains("did not match");
  }
}
