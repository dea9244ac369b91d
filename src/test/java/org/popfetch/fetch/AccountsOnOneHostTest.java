package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
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
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/**
 * Two accounts with the same host and user on two ports (two tunnels on localhost, say) are two
 * mailboxes sharing one state store: neither may take the other's records for its own.
 */
class AccountsOnOneHostTest {
  @TempDir Path dir;
  SqliteSeenUidStore store;

  /** One mailbox behind one port: every session of it is served on that port. */
  private final class Mailbox {
    final String name;
    final List<String> uids;
    final FetchPolicy policy;
    final Path maildir;
    int port;

    Mailbox(String name, List<String> uids, FetchPolicy policy) {
      this.name = name;
      this.uids = uids;
      this.policy = policy;
      this.maildir = dir.resolve(name);
    }

    /** One poll, the server expecting RETR (and in delete mode DELE) of exactly {@code fresh}. */
    PollResult poll(int fresh) throws Exception {
      PollResult result;
      try (ScriptedServer server = new ScriptedServer(port, null, c -> session(c, fresh))) {
        port = server.port();
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
                name, settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test");
        result =
            new AccountPoll(
                    account,
                    policy,
                    store,
                    new MaildirDestination(maildir, "h"),
                    new MaildirDestination(dir.resolve("quarantine"), "h"),
                    "h",
                    Clock.systemUTC(),
                    FetchObserver.NONE,
                    ProtocolTrace.NONE)
                .run();
      }
      return result;
    }

    private void session(Conversation c, int fresh) throws IOException {
      c.send("+OK ready");
      c.expect("CAPA");
      c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
      c.expect("USER u");
      c.send("+OK");
      c.expect("PASS p");
      c.send("+OK");
      c.expect("CAPA");
      c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
      c.expect("LIST");
      c.send("+OK");
      for (int i = 1; i <= uids.size(); i++) {
        c.send(
            i + " 30"); // the same sizes in both mailboxes: a reused UID is not noticed by its size
      }
      c.send(".");
      c.expect("UIDL");
      c.send("+OK");
      for (int i = 1; i <= uids.size(); i++) {
        c.send(i + " " + uids.get(i - 1));
      }
      c.send(".");
      for (int i = 1; i <= fresh; i++) {
        c.expect("RETR " + i);
      }
      for (int i = 1; i <= fresh; i++) {
        c.send("+OK", "Subject: " + name + " " + i, "", "body " + i, ".");
      }
      if (!policy.keep()) {
        for (int i = 1; i <= fresh; i++) {
          c.expect("DELE " + i);
        }
        List<String> ok = new ArrayList<>();
        for (int i = 1; i <= fresh; i++) {
          ok.add("+OK");
        }
        c.send(ok.toArray(String[]::new));
      }
      c.expect("QUIT");
      c.send("+OK");
    }

    long delivered() throws IOException {
      if (!Files.isDirectory(maildir.resolve("new"))) {
        return 0;
      }
      try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
        return s.count();
      }
    }
  }

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private static FetchPolicy keep() {
    return new FetchPolicy(
        true, Optional.empty(), OptionalLong.empty(), OptionalInt.empty(), 200, 1 << 25);
  }

  @Test
  void theSameUidsOnAnotherPortAreNotTakenAsDeliveredByADeletingAccount() throws Exception {
    List<String> uids = List.of("1", "2", "3"); // servers that number their messages agree on these
    Mailbox kept = new Mailbox("kept", uids, keep());
    Mailbox deleting = new Mailbox("deleting", uids, FetchPolicy.deleteMode());

    assertThat(kept.poll(3).fetched()).isEqualTo(3);
    PollResult result = deleting.poll(3);

    assertThat(result.failure()).isEmpty();
    assertThat(result.fetched()).isEqualTo(3);
    assertThat(result.deleted()).isEqualTo(3);
    assertThat(deleting.delivered()).as("every message delivered before its DELE").isEqualTo(3);
    assertThat(kept.delivered()).isEqualTo(3);
  }

  @Test
  void aKeptMailboxIsDeliveredOnceWhileAnotherOnTheSameHostIsPolledInBetween() throws Exception {
    Mailbox first = new Mailbox("first", List.of("a-1", "a-2", "a-3"), keep());
    Mailbox second = new Mailbox("second", List.of("b-1", "b-2", "b-3"), keep());

    for (int poll = 0; poll < 3; poll++) {
      int fresh = poll == 0 ? 3 : 0;
      PollResult a = first.poll(fresh);
      PollResult b = second.poll(fresh);
      assertThat(a.failure()).isEmpty();
      assertThat(b.failure()).isEmpty();
    }

    assertThat(first.delivered()).as("each message of the first mailbox exactly once").isEqualTo(3);
    assertThat(second.delivered())
        .as("each message of the second mailbox exactly once")
        .isEqualTo(3);
    // The forget step of each poll dropped nothing of the other's records.
    assertThat(store.load(AccountKey.of("127.0.0.1", first.port, "u")))
        .containsOnlyKeys("a-1", "a-2", "a-3");
    assertThat(store.load(AccountKey.of("127.0.0.1", second.port, "u")))
        .containsOnlyKeys("b-1", "b-2", "b-3");
  }
}
