package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;

/**
 * A poll asks its account's credential source at its own login, every time, and a source that
 * cannot answer ends that poll before any connection, with one line and a kind that neither rests
 * the account nor tells its owner of a refused login.
 */
class CredentialSourcePollTest {
  @TempDir Path dir;
  SqliteSeenUidStore store;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  /** Answers with the next of its passwords, or throws when given an exception instead. */
  private static final class Scripted implements CredentialSource {
    final Deque<Object> answers = new ArrayDeque<>();
    int asked;

    Scripted(Object... answers) {
      this.answers.addAll(List.of(answers));
    }

    @Override
    public String user() {
      return "u";
    }

    @Override
    public Credentials credentials() throws CredentialException {
      asked++;
      Object next = answers.removeFirst();
      if (next instanceof CredentialException e) {
        throw e;
      }
      return new Credentials.Password("u", (String) next);
    }
  }

  private static Pop3Account account(int port, CredentialSource source) {
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
    return new Pop3Account("test", settings, source, AuthMethod.USER, "u@test");
  }

  private PollResult poll(Pop3Account account) throws DeliveryException {
    return new AccountPoll(
            account,
            FetchPolicy.deleteMode(),
            store,
            new MaildirDestination(dir.resolve("Maildir"), "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  private static ScriptedServer acceptingPassword(int port, String password) throws IOException {
    return new ScriptedServer(
        port,
        null,
        c -> {
          c.send("+OK ready");
          c.expect("CAPA");
          c.send("+OK", "USER", "UIDL", ".");
          c.expect("USER u");
          c.send("+OK");
          c.expect("PASS " + password);
          c.send("+OK");
          c.expect("CAPA");
          c.send("+OK", "USER", "UIDL", ".");
          c.expect("LIST");
          c.send("+OK", ".");
          c.expect("UIDL");
          c.send("+OK", ".");
          c.expect("QUIT");
          c.send("+OK bye");
        });
  }

  @Test
  void eachPollAsksTheSourceAtItsLogin() throws Exception {
    Scripted source = new Scripted("first", "second");
    int port;
    try (ScriptedServer server = acceptingPassword(0, "first")) {
      port = server.port();
      assertThat(poll(account(port, source)).failure()).isEmpty();
      server.awaitScript();
    }
    try (ScriptedServer server = acceptingPassword(port, "second")) {
      assertThat(poll(account(port, source)).failure()).as("the rotated password").isEmpty();
      server.awaitScript();
    }
    assertThat(source.asked).isEqualTo(2);
  }

  @Test
  void aSourceThatCannotAnswerEndsThePollBeforeAnyConnection() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Scripted source =
          new Scripted(new CredentialException("password: command pass: exited with status 2"));
      PollResult result = poll(account(listener.getLocalPort(), source));
      assertThat(result.failure()).isPresent();
      PollFailure f = result.failure().get();
      assertThat(f.kind()).isEqualTo(PollFailure.Kind.CREDENTIALS);
      assertThat(f.message()).isEqualTo("password: command pass: exited with status 2");
      assertThat(f.remedy()).contains("password:").contains("next poll");
      listener.setSoTimeout(200);
      boolean connected;
      try (var ignored = listener.accept()) {
        connected = true;
      } catch (SocketTimeoutException e) {
        connected = false;
      }
      assertThat(connected).as("the server was not contacted").isFalse();
    }
  }

  @Test
  void checkReportsASourceThatCannotAnswerTheSameWay() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Scripted source = new Scripted(new CredentialException("password: /x: no such file"));
      AccountCheck.Report report =
          AccountCheck.run(
              account(listener.getLocalPort(), source),
              FetchPolicy.deleteMode(),
              store,
              Clock.systemUTC(),
              ProtocolTrace.NONE);
      assertThat(report.failure())
          .contains(new PollFailure(PollFailure.Kind.CREDENTIALS, "password: /x: no such file"));
    }
  }

  @Test
  void credentialsRefusedForGoodAreARefusedLogin() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Scripted source =
          new Scripted(CredentialException.refused("oauth: the refresh token was refused"));
      PollResult result = poll(account(listener.getLocalPort(), source));
      assertThat(result.failure().orElseThrow().kind()).isEqualTo(PollFailure.Kind.AUTH);
    }
  }
}
