package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigLoader;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/**
 * {@code line-endings} from the file to the wire: a server that ends every line with a bare LF is
 * fetched whole with {@code lf-tolerant}; with the default the poll fails on it, delivers nothing
 * and deletes nothing (a bare LF never ends a message under CRLF framing).
 */
class LineEndingsPollTest {
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

  private AccountConfig account(int port, String lineEndings) throws Exception {
    return ConfigLoader.parse(
            dir.resolve("popfetch.yaml"),
            """
            accounts:
              - name: bare
                server: 127.0.0.1
                port: %d
                tls: none
                user: u
                password: { env: UNUSED }
                timeout: 1s
                deliver: { maildir: %s }
                received: false
                delivered-to: false
            %s
            """
                .formatted(
                    port,
                    dir.resolve("Maildir"),
                    lineEndings.isEmpty() ? "" : "    line-endings: " + lineEndings),
            false)
        .accounts()
        .get(0);
  }

  private PollResult poll(AccountConfig a) throws Exception {
    Pop3Account account = AccountWiring.account(a, new Credentials.Password("u", "p"));
    return new AccountPoll(
            account,
            AccountWiring.policy(a),
            store,
            new MaildirDestination(dir.resolve("Maildir"), "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  /** Greeting, login, LIST and UIDL, and two messages sent at once: all with bare LFs. */
  private static void bareLfSession(Conversation c) throws IOException {
    c.sendRaw("+OK ready\n".getBytes(ISO_8859_1));
    c.expect("CAPA");
    c.sendRaw("+OK\nUSER\nUIDL\nPIPELINING\n.\n".getBytes(ISO_8859_1));
    c.expect("USER u");
    c.sendRaw("+OK\n".getBytes(ISO_8859_1));
    c.expect("PASS p");
    c.sendRaw("+OK\n".getBytes(ISO_8859_1));
    c.expect("CAPA");
    c.sendRaw("+OK\nUSER\nUIDL\nPIPELINING\n.\n".getBytes(ISO_8859_1));
    c.expect("LIST");
    c.sendRaw("+OK\n1 40\n2 40\n.\n".getBytes(ISO_8859_1));
    c.expect("UIDL");
    c.sendRaw("+OK\n1 uid-1\n2 uid-2\n.\n".getBytes(ISO_8859_1));
    c.expect("RETR 1");
    c.expect("RETR 2");
    c.sendRaw("+OK\nSubject: one\n\n..dot\nbody 1\n.\n".getBytes(ISO_8859_1));
    c.sendRaw("+OK\nSubject: two\n\nbody 2\n.\n".getBytes(ISO_8859_1));
  }

  private List<String> delivered() throws IOException {
    Path n = dir.resolve("Maildir/new");
    if (!Files.isDirectory(n)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(n)) {
      return s.sorted()
          .map(
              p -> {
                try {
                  return Files.readString(p, ISO_8859_1);
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              })
          .toList();
    }
  }

  @Test
  void lfTolerantFetchesABareLfServerWhole() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              bareLfSession(c);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.sendRaw("+OK\n+OK\n".getBytes(ISO_8859_1));
              c.expect("QUIT");
              c.sendRaw("+OK\n".getBytes(ISO_8859_1));
            })) {
      AccountConfig a = account(server.port(), "lf-tolerant");
      assertThat(AccountWiring.account(a, new Credentials.Password("u", "p")).settings().framing())
          .isEqualTo(Framing.LF_TOLERANT);
      PollResult result = poll(a);
      server.awaitScript();
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.deleted()).isEqualTo(2);
    }
    assertThat(delivered())
        .containsExactlyInAnyOrder("Subject: one\n\n.dot\nbody 1\n", "Subject: two\n\nbody 2\n");
  }

  @Test
  void theDefaultNeverTakesABareLfForTheEndAndLosesNothing() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              bareLfSession(c);
              c.readUntilClose(); // no DELE, no QUIT: the client gives up on the first body
            })) {
      AccountConfig a = account(server.port(), "");
      assertThat(AccountWiring.account(a, new Credentials.Password("u", "p")).settings().framing())
          .isEqualTo(Framing.CRLF);
      PollResult result = poll(a);
      server.awaitScript();
      assertThat(result.failure()).map(PollFailure::kind).isPresent();
      assertThat(result.fetched()).isZero();
      assertThat(result.deleted()).isZero();
    }
    assertThat(delivered()).isEmpty();
  }
}
