package org.popfetch.oauth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.popfetch.oauth.OAuthAccountFixture.ACCOUNT;
import static org.popfetch.oauth.OAuthAccountFixture.child;
import static org.popfetch.oauth.OAuthAccountFixture.config;
import static org.popfetch.oauth.OAuthAccountFixture.delivered;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;

/**
 * {@code popfetch run} for a minute with access tokens that live three seconds and a refresh token
 * that rotates at each use, against Dovecot's oauth2 passdb: every new message is fetched by the
 * next polls, no poll fails, the service refreshes many times and the store always holds the newest
 * refresh token.
 */
class OAuthDaemonIT {
  static final Duration MINUTE = Duration.ofSeconds(60);

  @TempDir Path dir;
  FakeAuthorizationServer idp;
  DovecotServer dovecot;
  Process service;

  @BeforeEach
  void start() throws Exception {
    idp = new FakeAuthorizationServer(Clock.systemUTC());
    idp.lifetime = Duration.ofSeconds(3);
    idp.username = "minute";
    dovecot =
        DovecotServer.startWithOAuth2(
            DovecotServer.users("minute", "-"),
            TestPki.create("popfetch oauth daemon CA").issue("127.0.0.1"),
            idp.uri("/introspect"));
  }

  @AfterEach
  void stop() throws Exception {
    if (service != null && service.isAlive()) {
      service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (dovecot != null) {
      dovecot.close();
    }
    idp.close();
  }

  @Test
  void threeSecondTokensRotatingRefreshTokensAndAMinuteOfPollsThatAllSucceed() throws Exception {
    TokenStore store = TokenStore.inStateDirectory(dir);
    String first = idp.issueRefreshToken();
    store.save(ACCOUNT, first, Clock.systemUTC().instant());
    Path config = config(dir, idp, dovecot.pop3Port(), "minute", "cron: \"* * * * * ?\"");
    Path log = dir.resolve("service.log");
    Path maildir = dir.resolve("Maildir");
    service = child(log, "run", "--no-watch", "--config", config.toString());

    Instant end = Instant.now().plus(MINUTE);
    int sent = 0;
    while (Instant.now().isBefore(end)) {
      sent++;
      dovecot.deliver("minute", Mail.message("m" + sent, 5).getBytes(ISO_8859_1));
      long expected = sent;
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(100))
          .failFast("the service stopped", () -> !service.isAlive())
          .until(() -> delivered(maildir) >= expected);
    }
    int refreshes = idp.refreshRequests.get();
    service.destroy(); // SIGTERM: a clean stop
    assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log);

    assertThat(output).as(output).doesNotContain("poll failed").doesNotContain("ERROR");
    assertThat(Mail.idsIn(maildir)).hasSize(sent).doesNotHaveDuplicates();
    assertThat(dovecot.messageCount("minute")).isZero();
    assertThat(dovecot.logs()).doesNotContain("auth failed");
    // A token lives 3 s and is refreshed 0.75 s before it expires: about 26 refreshes a minute.
    assertThat(refreshes).as("refreshes in a minute").isGreaterThanOrEqualTo(15);
    assertThat(store.read(ACCOUNT).orElseThrow().refreshToken())
        .as("the newest rotated refresh token is the one stored")
        .isEqualTo(idp.lastRefreshToken)
        .isNotEqualTo(first);
    assertThat(output).doesNotContain(first).doesNotContain(idp.lastRefreshToken);
    System.out.printf(
        "OAuthDaemonIT: %d messages, %d refreshes, %d introspections in %s%n",
        sent, refreshes, idp.introspections.get(), MINUTE);
  }
}
