package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/**
 * RFC 2449 LOGIN-DELAY as the poll and the check read it: from the capabilities after login (the
 * per-user value), bounded, handed back for the scheduler and the warnings.
 */
class LoginDelayPollTest {
  @TempDir Path dir;
  SqliteSeenUidStore store;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open(dir.resolve("state.db"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private static Pop3Account account(int port) {
    return new Pop3Account(
        "test",
        new Pop3Settings(
            "127.0.0.1",
            port,
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            true,
            Framing.CRLF,
            32),
        new Credentials.Password("u", "p"),
        AuthMethod.USER,
        "u@test");
  }

  /**
   * The greeting, a CAPA answered with {@code capabilities} and USER u, up to the PASS p that the
   * script answers (or not) next.
   */
  private static void greetedUntilPass(Conversation c, String... capabilities) throws IOException {
    c.send("+OK ready");
    c.expect("CAPA");
    c.send("+OK");
    c.send(capabilities);
    c.send(".");
    c.expect("USER u");
    c.send("+OK");
    c.expect("PASS p");
  }

  /** An empty mailbox whose CAPA says {@code before} ahead of login and {@code after} after it. */
  private static void emptyMailbox(Conversation c, String before, String after) throws IOException {
    greetedUntilPass(c, "USER", "UIDL", before);
    c.send("+OK");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", after, ".");
    c.expect("LIST");
    c.send("+OK", ".");
    c.expect("UIDL");
    c.send("+OK", ".");
    c.expect("QUIT");
    c.send("+OK");
  }

  /** One poll of the test's account in delete mode against {@code server}, to its script's end. */
  private PollResult run(ScriptedServer server) throws Exception {
    PollResult r =
        new AccountPoll(
                account(server.port()),
                FetchPolicy.deleteMode(),
                store,
                new MaildirDestination(dir.resolve("Maildir"), "h"),
                new MaildirDestination(dir.resolve("quarantine"), "h"),
                "h",
                Clock.systemUTC(),
                FetchObserver.NONE,
                ProtocolTrace.NONE)
            .run();
    server.awaitScript();
    return r;
  }

  private PollResult poll(String afterLogin) throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(c -> emptyMailbox(c, "LOGIN-DELAY 900 USER", afterLogin))) {
      PollResult r = run(server);
      assertThat(r.failure()).isEmpty();
      return r;
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "LOGIN-DELAY 300, 300",
    "LOGIN-DELAY 0, -1",
    "LOGIN-DELAY -60, -1",
    "LOGIN-DELAY soon, -1",
    "LOGIN-DELAY 99999999999999, 86400",
    "TOP, -1"
  })
  void thePollHandsBackTheDelayAnnouncedAfterLoginBounded(String capability, long seconds)
      throws Exception {
    PollResult r = poll(capability);
    assertThat(r.loginDelay())
        .isEqualTo(seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds)));
  }

  @Test
  void aServerThatPipelinesAnswersTheCapaAfterLoginWithTheListingsAndItsDelayStillCounts()
      throws Exception {
    // The CAPA after login goes out with LIST and UIDL, and the server reads all three before
    // answering any: its delay is the one after login, not the 900 s it gave before.
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greetedUntilPass(c, "USER", "UIDL", "PIPELINING", "LOGIN-DELAY 900");
              c.send("+OK");
              c.expect("CAPA");
              c.expect("LIST");
              c.expect("UIDL");
              c.send("+OK", "USER", "UIDL", "PIPELINING", "LOGIN-DELAY 300", ".");
              c.send("+OK", ".");
              c.send("+OK", ".");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult r = run(server);
      assertThat(r.failure()).isEmpty();
      assertThat(r.loginDelay()).contains(Duration.ofMinutes(5));
    }
  }

  /** The poll of an account on a server that ends the session the way {@code script} does. */
  private PollResult failedPoll(ScriptedServer.Script script) throws Exception {
    try (ScriptedServer server = new ScriptedServer(script)) {
      PollResult r = run(server);
      assertThat(r.failure()).isPresent();
      return r;
    }
  }

  // The delay said before login is not the user's: a session that ends before the list after
  // login is read hands back none, or one cut at the login would wait a day to try again.

  @Test
  void aSessionCutAtTheLoginHandsBackNoDelay() throws Exception {
    PollResult r =
        failedPoll(
            c -> {
              greetedUntilPass(c, "USER", "UIDL", "LOGIN-DELAY 86400");
              c.close();
            });
    assertThat(r.loginDelay()).isEmpty();
  }

  @Test
  void aSessionCutBeforeTheCapaAfterLoginIsAnsweredHandsBackNoDelay() throws Exception {
    PollResult r =
        failedPoll(
            c -> {
              greetedUntilPass(c, "USER", "UIDL", "PIPELINING", "LOGIN-DELAY 86400");
              c.send("+OK");
              c.expect("CAPA");
              c.expect("LIST");
              c.expect("UIDL");
              c.close();
            });
    assertThat(r.loginDelay()).isEmpty();
  }

  @Test
  void aSessionCutInTheCapaAfterLoginHandsBackNoDelay() throws Exception {
    PollResult r =
        failedPoll(
            c -> {
              greetedUntilPass(c, "USER", "UIDL", "LOGIN-DELAY 86400");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER");
              c.close();
            });
    assertThat(r.loginDelay()).isEmpty();
  }

  @Test
  void theCheckHandsItBackToo() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(c -> emptyMailbox(c, "USER", "LOGIN-DELAY 600"))) {
      AccountCheck.Report r =
          AccountCheck.run(
              account(server.port()),
              FetchPolicy.deleteMode(),
              store,
              Clock.systemUTC(),
              ProtocolTrace.NONE);
      server.awaitScript();
      assertThat(r.failure()).isEmpty();
      assertThat(r.loginDelay()).contains(Duration.ofMinutes(10));
    }
  }
}
