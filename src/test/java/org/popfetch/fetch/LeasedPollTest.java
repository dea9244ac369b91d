package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
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
 * A poll that loses its account's lease (another node took the account over) stops at the next
 * commit point: it records nothing more, sends no DELE, and ends without QUIT, so that nothing of
 * its session is deleted. What it delivered before is a duplicate at worst, never a loss.
 */
class LeasedPollTest {
  @TempDir Path dir;
  SeenUidStore store;
  Path maildir;
  int port;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open(dir.resolve("state.db"));
    maildir = dir.resolve("Maildir");
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  /** A lease that passes {@code checks} checks and is lost from then on. */
  static final class LosingLease implements Lease {
    final AtomicInteger left;
    final AtomicInteger asked = new AtomicInteger();

    LosingLease(int checks) {
      left = new AtomicInteger(checks);
    }

    @Override
    public void check() throws LostException {
      asked.incrementAndGet();
      if (left.getAndDecrement() <= 0) {
        throw new LostException("lease of test lost: the connection to the database broke");
      }
    }

    @Override
    public void close() {}
  }

  private PollResult poll(ScriptedServer server, Lease lease) throws Exception {
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            server.port(),
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            true,
            Framing.CRLF,
            32);
    Pop3Account account =
        new Pop3Account(
            "test", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test");
    return new AccountPoll(
            account,
            FetchPolicy.deleteMode(),
            store,
            new MaildirDestination(maildir, "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .fencedBy(lease)
        .run();
  }

  private ScriptedServer server(ScriptedServer.Script script) throws IOException {
    ScriptedServer s = new ScriptedServer(port, null, script);
    port = s.port();
    return s;
  }

  private AccountKey key() {
    return AccountKey.of("127.0.0.1", port, "u");
  }

  private long delivered() throws IOException {
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  private static void loginAndRetrieveTwo(Conversation c) throws IOException {
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
    c.send("+OK", "1 30", "2 30", ".");
    c.expect("UIDL");
    c.send("+OK", "1 uid-1", "2 uid-2", ".");
    c.expect("RETR 1");
    c.expect("RETR 2");
    c.send("+OK", "Subject: one", "", "body", ".");
    c.send("+OK", "Subject: two", "", "body", ".");
  }

  @Test
  void aLeaseLostBetweenRetrAndRecordRecordsNothingAndDeletesNothing() throws Exception {
    LosingLease lease = new LosingLease(0);
    try (ScriptedServer server =
        server(
            c -> {
              loginAndRetrieveTwo(c);
              c.expectClose(); // no DELE, no QUIT
            })) {
      PollResult result = poll(server, lease);
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.STORE);
      assertThat(result.failure().get().message()).contains("lease of test lost");
      assertThat(result.deleted()).isZero();
    }
    assertThat(lease.asked).hasValue(1);
    assertThat(store.load(key())).as("nothing recorded").isEmpty();
    assertThat(delivered()).as("the copies made before the loss are kept").isEqualTo(2);
  }

  @Test
  void aLeaseLostBetweenRecordAndDeleSendsNoDeleAndTheNextHolderDeletesWithoutRedelivery()
      throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loginAndRetrieveTwo(c);
              c.expectClose();
            })) {
      PollResult result = poll(server, new LosingLease(1));
      assertThat(result.deleted()).isZero();
    }
    assertThat(store.load(key()).values())
        .extracting(SeenUid::state)
        .containsOnly(UidState.DELETE_PENDING)
        .hasSize(2);
    try (ScriptedServer server =
        server(
            c -> {
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
              c.send("+OK", "1 30", "2 30", ".");
              c.expect("UIDL");
              c.send("+OK", "1 uid-1", "2 uid-2", ".");
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult next = poll(server, new LosingLease(Integer.MAX_VALUE));
      assertThat(next.failure()).isEmpty();
      assertThat(next.fetched()).isZero();
      assertThat(next.deleted()).isEqualTo(2);
    }
    assertThat(delivered()).isEqualTo(2);
    assertThat(store.load(key())).isEmpty();
  }

  @Test
  void aLeaseLostBeforeQuitEndsWithoutQuitSoTheDelesAreUndone() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loginAndRetrieveTwo(c);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expectClose(); // QUIT would commit the deletions
            })) {
      PollResult result = poll(server, new LosingLease(2));
      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.STORE);
      assertThat(result.deleted()).isZero();
    }
    assertThat(store.load(key())).hasSize(2);
  }

  @Test
  void aLeaseThatHoldsChangesNothing() throws Exception {
    LosingLease lease = new LosingLease(Integer.MAX_VALUE);
    try (ScriptedServer server =
        server(
            c -> {
              loginAndRetrieveTwo(c);
              c.expect("DELE 1");
              c.expect("DELE 2");
              c.send("+OK", "+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server, lease);
      assertThat(result.failure()).isEmpty();
      assertThat(result.deleted()).isEqualTo(2);
    }
    assertThat(lease.asked.get()).as("record, DELE, QUIT, forget").isEqualTo(4);
  }
}
