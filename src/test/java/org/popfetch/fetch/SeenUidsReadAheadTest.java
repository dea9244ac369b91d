package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

/** The seen UIDs are read while the session logs in, not after its listing. */
class SeenUidsReadAheadTest {
  @TempDir Path dir;
  SqliteSeenUidStore file;

  @BeforeEach
  void open() throws IOException {
    file = SqliteSeenUidStore.open(dir.resolve("state.db"));
  }

  @AfterEach
  void close() throws IOException {
    file.close();
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

  /** A store whose reads say when they begin. */
  private static class WatchedStore implements SeenUidStore {
    final SeenUidStore file;
    final CountDownLatch readBegun = new CountDownLatch(1);

    WatchedStore(SeenUidStore file) {
      this.file = file;
    }

    @Override
    public Map<String, SeenUid> load(AccountKey account) throws IOException {
      readBegun.countDown();
      return file.load(account);
    }

    @Override
    public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
      file.record(account, entries);
    }

    @Override
    public void forget(AccountKey account, Collection<String> uids) throws IOException {
      file.forget(account, uids);
    }

    @Override
    public int adopt(AccountKey from, AccountKey to) throws IOException {
      return file.adopt(from, to);
    }

    @Override
    public void close() {}
  }

  private PollResult poll(SeenUidStore store, ScriptedServer server) throws Exception {
    return new AccountPoll(
            account(server.port()),
            new FetchPolicy(
                true,
                Optional.empty(),
                OptionalLong.empty(),
                OptionalInt.empty(),
                FetchPolicy.DEFAULT_BATCH_MESSAGES,
                FetchPolicy.DEFAULT_BATCH_OCTETS),
            store,
            new MaildirDestination(dir.resolve("Maildir"), "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  @Test
  void theSeenUidsAreReadBeforeTheServerHasSaidAWordAndTheKnownOneIsNotFetched() throws Exception {
    WatchedStore store = new WatchedStore(file);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              // Before this change the read came only after UIDL, so this wait timed out.
              assertThat(store.readBegun.await(10, TimeUnit.SECONDS))
                  .as("the store read begun before the greeting")
                  .isTrue();
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", ".");
              c.expect("USER u");
              c.send("+OK");
              c.expect("PASS p");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", ".");
              c.expect("LIST");
              c.send("+OK", "1 30", ".");
              c.expect("UIDL");
              c.send("+OK", "1 old", ".");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      file.record(
          account(server.port()).key(),
          List.of(new SeenUid("old", UidState.KEPT, Instant.now(), 30)));
      PollResult r = poll(store, server);
      server.awaitScript();
      assertThat(r.failure()).isEmpty();
      assertThat(r.fetched()).isZero();
    }
    assertThat(
            Files.exists(dir.resolve("Maildir/new"))
                ? Files.list(dir.resolve("Maildir/new")).count()
                : 0)
        .isZero();
  }

  @Test
  void aStoreThatCannotBeReadFailsThePollAndNothingIsDeleted() throws Exception {
    SeenUidStore broken =
        new WatchedStore(file) {
          @Override
          public Map<String, SeenUid> load(AccountKey account) throws IOException {
            throw new IOException("disk I/O error");
          }
        };
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", ".");
              c.expect("USER u");
              c.send("+OK");
              c.expect("PASS p");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", ".");
              c.expect("LIST");
              c.send("+OK", "1 30", ".");
              c.expect("UIDL");
              c.send("+OK", "1 new", ".");
              c.expectClose();
            })) {
      PollResult r = poll(broken, server);
      server.awaitScript();
      assertThat(r.failure()).isPresent();
      assertThat(r.failure().get().kind()).isEqualTo(PollFailure.Kind.STORE);
      assertThat(r.failure().get().message()).contains("disk I/O error");
      assertThat(r.deleted()).isZero();
    }
  }

  /** A store that notes the thread each read runs on. */
  private static class ThreadNotingStore extends WatchedStore {
    final List<Thread> readers = new CopyOnWriteArrayList<>();

    ThreadNotingStore(SeenUidStore file) {
      super(file);
    }

    @Override
    public Map<String, SeenUid> load(AccountKey account) throws IOException {
      readers.add(Thread.currentThread());
      return super.load(account);
    }
  }

  @Test
  void readsOneAfterAnotherShareAThreadInsteadOfStartingOneEach() throws Exception {
    ThreadNotingStore store = new ThreadNotingStore(file);
    AccountKey key = account(1).key();
    for (int i = 0; i < 20; i++) {
      SeenUidsReadAhead.start(store, key).get();
    }
    // A reader returns to the pool just after it hands over the entries, so now and then the next
    // read comes before it is back and gets a new thread; a thread per read would be 20.
    assertThat(store.readers).hasSize(20);
    assertThat(Set.copyOf(store.readers)).hasSizeLessThanOrEqualTo(5);
    assertThat(store.readers).doesNotContain(Thread.currentThread());
    assertThat(store.readers.get(0).isDaemon()).as("does not hold a one-shot run open").isTrue();
  }

  @Test
  void aMailboxTheStoreHoldsInMemoryIsReadOnThePollsOwnThread() throws Exception {
    AccountKey key = account(1).key();
    file.record(key, List.of(new SeenUid("uid-1", UidState.KEPT, Instant.EPOCH, 10)));
    ThreadNotingStore held =
        new ThreadNotingStore(file) {
          @Override
          public boolean inMemory(AccountKey account) {
            return true;
          }
        };
    SeenUidsReadAhead ahead = SeenUidsReadAhead.start(held, key);
    assertThat(held.readers).containsExactly(Thread.currentThread());
    assertThat(ahead.get()).containsOnlyKeys("uid-1");

    ThreadNotingStore onDisk = new ThreadNotingStore(file);
    assertThat(SeenUidsReadAhead.start(onDisk, key).get()).containsOnlyKeys("uid-1");
    assertThat(onDisk.readers).hasSize(1).doesNotContain(Thread.currentThread());
  }
}
