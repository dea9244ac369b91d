package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
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
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.ScanListing;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ListingServer;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

/** A poll whose own machinery fails, or whose listing is larger than the heap can hold. */
class PollBoundsTest {
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

  private PollResult poll(ListingServer server, FetchPolicy policy) throws Exception {
    return poll(server.port(), store, policy);
  }

  private PollResult poll(ScriptedServer server, SeenUidStore store, FetchPolicy policy)
      throws Exception {
    return poll(server.port(), store, policy);
  }

  private PollResult poll(int port, SeenUidStore store, FetchPolicy policy) throws Exception {
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
            "test", settings, new Credentials.Password("u", "p"), AuthMethod.USER, "u@test");
    return new AccountPoll(
            account,
            policy,
            store,
            new MaildirDestination(dir.resolve("Maildir"), "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  /** Greeting, CAPA, USER/PASS, then LIST and UIDL answered with these lines. */
  static void login(Conversation c, List<String> list, List<String> uidl) throws IOException {
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
    c.send(list.toArray(String[]::new));
    c.send(".");
    c.expect("UIDL");
    c.send("+OK");
    c.send(uidl.toArray(String[]::new));
    c.send(".");
  }

  static void login(Conversation c, int messages) throws IOException {
    List<String> list = new ArrayList<>();
    List<String> uidl = new ArrayList<>();
    for (int i = 1; i <= messages; i++) {
      list.add(i + " 30");
      uidl.add(i + " uid-" + i);
    }
    login(c, list, uidl);
  }

  /** A store whose load fails as a heap too small for the listing would make it fail. */
  private static final class ExhaustedStore implements SeenUidStore {
    @Override
    public Map<String, SeenUid> load(AccountKey account) {
      throw new OutOfMemoryError("Java heap space");
    }

    @Override
    public void record(AccountKey account, Collection<SeenUid> entries) {}

    @Override
    public void forget(AccountKey account, Collection<String> uids) {}

    @Override
    public int adopt(AccountKey from, AccountKey to) {
      return 0;
    }

    @Override
    public void close() {}
  }

  @Test
  void anErrorInsideThePollEndsItWithAFailureAndTheSessionClosedWithoutQuit() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              login(c, 2);
              c.expectClose(); // no QUIT: nothing of this session may be deleted
            })) {
      PollResult result = poll(server, new ExhaustedStore(), FetchPolicy.deleteMode());

      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.INTERNAL);
      assertThat(result.failure().get().message())
          .contains("OutOfMemoryError")
          .contains("Java heap space");
      assertThat(result.deleted()).isZero();
      server.awaitScript();
    }
  }

  @Test
  void aListingOverTheEntryCapFailsThePollInOneLineAndNothingIsFetchedOrDeleted() throws Exception {
    try (ListingServer server = new ListingServer(Pop3Client.MAX_LISTING_ENTRIES + 1, 20, 30)) {
      PollResult result = poll(server, FetchPolicy.deleteMode());

      assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.PROTOCOL);
      assertThat(result.failure().get().message())
          .contains("more than " + Pop3Client.MAX_LISTING_ENTRIES + " lines in answer to LIST")
          .contains("nothing was fetched or deleted")
          .doesNotContain("\n");
      assertThat(result.fetched()).isZero();
      assertThat(server.deletes()).isZero();
      assertThat(server.quits()).as("no QUIT, so the server deletes nothing").isZero();
    }
  }

  @Test
  void aListingAtTheCapIsPolledAndNewMailBeyondThePerPollBoundWaits() throws Exception {
    // Every message is over max-size: the poll lists and selects the whole mailbox without
    // fetching, and records at most MAX_SELECTED of them as oversize per poll.
    try (ListingServer server = new ListingServer(Pop3Client.MAX_LISTING_ENTRIES, 40, 5000)) {
      FetchPolicy policy =
          new FetchPolicy(
              false, Optional.empty(), OptionalLong.of(100), OptionalInt.empty(), 100, 1 << 20);
      PollResult first = poll(server, policy);
      assertThat(first.failure()).isEmpty();
      assertThat(first.onServer()).isEqualTo(Pop3Client.MAX_LISTING_ENTRIES);
      assertThat(first.oversize()).isEqualTo(Pop3Client.MAX_LISTING_ENTRIES);
      assertThat(store.load(AccountKey.of("127.0.0.1", server.port(), "u")).size())
          .isEqualTo(Selection.MAX_SELECTED);
      assertThat(server.quits()).isEqualTo(1);
    }
  }

  @Test
  void aPollSelectsAtMostMaxSelectedNewMessagesAndTheRestWait() {
    List<ScanListing> listing = new ArrayList<>();
    Map<Integer, String> uids = new HashMap<>();
    int total = Selection.MAX_SELECTED + 123;
    for (int i = 1; i <= total; i++) {
      listing.add(new ScanListing(i, 10));
      uids.put(i, "uid-" + i);
    }
    Selection s =
        Selection.select(
            "acct", listing, uids, true, Map.of(), FetchPolicy.deleteMode(), Instant.EPOCH);
    assertThat(s.fetch()).hasSize(Selection.MAX_SELECTED);
    assertThat(s.fetch().get(0).number()).isEqualTo(1);
    assertThat(s.waiting()).isEqualTo(123);
    assertThat(s.waitingOctets()).isEqualTo(1230);
  }
}
