package org.popfetch.oauth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.popfetch.oauth.OAuthAccountFixture.ACCOUNT;
import static org.popfetch.oauth.OAuthAccountFixture.child;
import static org.popfetch.oauth.OAuthAccountFixture.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * A {@code popfetch poll} killed with SIGKILL at each point of a refresh, then polled again against
 * Dovecot's oauth2 passdb: while the token request is in flight (the server has spent nothing),
 * after the rotated refresh token was saved but before the login, and in the one order no client
 * can survive, after the server spent the old token but before the new one reached the disk.
 */
class OAuthCrashIT {
  @TempDir static Path shared;
  static FakeAuthorizationServer idp;
  static DovecotServer dovecot;

  @TempDir Path dir;
  TokenStore store;
  String firstRefreshToken;
  Process child;

  @BeforeAll
  static void start() throws Exception {
    idp = new FakeAuthorizationServer(Clock.systemUTC());
    dovecot =
        DovecotServer.startWithOAuth2(
            DovecotServer.users("held", "-", "saved", "-", "spent", "-"),
            TestPki.create("popfetch oauth crash CA").issue("127.0.0.1"),
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
  void login() throws Exception {
    store = TokenStore.inStateDirectory(dir);
    firstRefreshToken = idp.issueRefreshToken();
    store.save(ACCOUNT, firstRefreshToken, Clock.systemUTC().instant());
  }

  @AfterEach
  void cleanUp() throws Exception {
    idp.beforeRotation = null;
    idp.afterRotation = null;
    if (child != null && child.isAlive()) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  /** The account against Dovecot, which asks the fake server about each token. */
  private Path dovecotConfig(String user) throws Exception {
    idp.username = user;
    return config(dir, idp, dovecot.pop3Port(), user, "");
  }

  /** Waits until {@code reached} opens, failing at once if the child ends first. */
  private void awaitChild(CountDownLatch reached, Path log) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .failFast(
            "the child ended first",
            () ->
                assertThat(reached.getCount() == 0 || child.isAlive())
                    .as("the child ended first: %s", Files.readString(log))
                    .isTrue())
        .until(() -> reached.getCount() == 0);
  }

  private void killChild(Path log) throws Exception {
    assertThat(child.isAlive()).as("the poll ended first: %s", Files.readString(log)).isTrue();
    child.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void killedWhileTheTokenRequestIsHeldTheNextPollLogsIn() throws Exception {
    dovecot.deliver("held", Mail.message("h1", 5).getBytes(ISO_8859_1));
    Path config = dovecotConfig("held");
    FakeAuthorizationServer.Hold hold = new FakeAuthorizationServer.Hold();
    idp.beforeRotation = hold;
    Path log = dir.resolve("child.log");
    child = child(log, "poll", "--config", config.toString());
    awaitChild(hold.reached, log);
    killChild(log);
    // The request dies with the client: the server never looked at it.
    idp.beforeRotation = null;
    hold.drop();

    assertThat(store.read(ACCOUNT).orElseThrow().refreshToken()).isEqualTo(firstRefreshToken);
    Run again = popfetch("poll", "--config", config.toString());
    assertThat(again.status()).as(again.output() + dovecot.logs()).isZero();
    assertThat(Mail.idsIn(dir.resolve("Maildir"))).containsExactly("h1");
    assertThat(store.read(ACCOUNT).orElseThrow().refreshToken())
        .isEqualTo(idp.lastRefreshToken)
        .isNotEqualTo(firstRefreshToken);
  }

  @Test
  void killedAfterTheRotatedTokenWasSavedTheRestartUsesTheNewOne() throws Exception {
    dovecot.deliver("saved", Mail.message("s1", 5).getBytes(ISO_8859_1));
    // The login is held instead: a POP3 server that accepts and never greets. popfetch asks for
    // the token before it connects, so a connection here means the refresh is done and saved.
    CountDownLatch connected = new CountDownLatch(1);
    Path log = dir.resolve("child.log");
    try (ScriptedServer silent =
        new ScriptedServer(
            c -> {
              connected.countDown();
              c.readUntilClose();
            })) {
      idp.username = "saved";
      Path held = config(dir, idp, silent.port(), "saved", "");
      child = child(log, "poll", "--config", held.toString());
      awaitChild(connected, log);
      String rotated = idp.lastRefreshToken;
      assertThat(rotated).isNotEqualTo(firstRefreshToken);
      assertThat(store.read(ACCOUNT).orElseThrow().refreshToken())
          .as("saved before the token is used")
          .isEqualTo(rotated);
      killChild(log);
    }

    // The server spent the first token when it rotated: only the saved one can log in now.
    int refreshes = idp.refreshRequests.get();
    Run again = popfetch("poll", "--config", dovecotConfig("saved").toString());
    assertThat(again.status()).as(again.output() + dovecot.logs()).isZero();
    assertThat(Mail.idsIn(dir.resolve("Maildir"))).containsExactly("s1");
    assertThat(idp.refreshRequests.get()).isEqualTo(refreshes + 1);
  }

  @Test
  void killedAfterTheServerSpentTheTokenButBeforeTheSaveOneLineAsksForALogin() throws Exception {
    dovecot.deliver("spent", Mail.message("x1", 5).getBytes(ISO_8859_1));
    Path config = dovecotConfig("spent");
    FakeAuthorizationServer.Hold hold = new FakeAuthorizationServer.Hold();
    idp.afterRotation = hold;
    Path log = dir.resolve("child.log");
    child = child(log, "poll", "--config", config.toString());
    awaitChild(hold.reached, log);
    killChild(log);
    idp.afterRotation = null;
    hold.release(); // the answer goes to a dead socket: the new refresh token is lost
    assertThat(store.read(ACCOUNT).orElseThrow().refreshToken()).isEqualTo(firstRefreshToken);

    int refreshes = idp.refreshRequests.get();
    for (int poll = 1; poll <= 2; poll++) {
      // A process of its own again, so that its output is what an admin sees.
      Path pollLog = dir.resolve("poll-" + poll + ".log");
      Process p = child(pollLog, "poll", "--config", config.toString());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      Run r = new Run(p.exitValue(), Files.readString(pollLog));
      assertThat(r.status()).as("a refused login: " + r.output()).isEqualTo(3);
      assertThat(r.output().lines().filter(l -> l.contains("poll failed")))
          .as(r.output())
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains(" " + ACCOUNT + ": poll failed (AUTH): oauth: ")
                      .contains("invalid_grant")
                      .contains("run popfetch oauth login " + ACCOUNT));
      assertThat(r.output()).doesNotContain(firstRefreshToken, idp.lastRefreshToken);
      // The first poll learns the grant is gone; the refusal is noted in the store, so the next
      // process does not even ask: never a loop.
      assertThat(idp.refreshRequests.get())
          .as("token requests after poll %d", poll)
          .isEqualTo(refreshes + 1);
    }
    assertThat(dovecot.logs()).as("no login was tried").doesNotContain("user=<spent>");
    assertThat(dovecot.messageCount("spent")).isEqualTo(1);

    // What popfetch oauth login does in the end: a new grant in the store. The next poll takes it.
    store.save(ACCOUNT, idp.issueRefreshToken(), Clock.systemUTC().instant());
    Run fixed = popfetch("poll", "--config", config.toString());
    assertThat(fixed.status()).as(fixed.output() + dovecot.logs()).isZero();
    assertThat(Mail.idsIn(dir.resolve("Maildir"))).containsExactly("x1");
  }
}
