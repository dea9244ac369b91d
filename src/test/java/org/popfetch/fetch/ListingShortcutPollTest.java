package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * Polls that list only the messages after the last poll's {@link ListingMark}, and every reason to
 * read the whole listing instead, against a scripted server whose script is the exact commands the
 * poll must send. The mailbox starts with {@link #KEPT} messages fetched before (uid-1..uid-120).
 */
class ListingShortcutPollTest {
  static final int KEPT = 120;

  @TempDir Path dir;
  SeenUidStore store;
  Path maildir;
  int port;

  @BeforeEach
  void open() throws IOException {
    store = openStore(dir.resolve("state.db"));
    maildir = dir.resolve("Maildir");
  }

  /** The store every poll of a test uses, over the state file {@code file}. */
  SeenUidStore openStore(Path file) throws IOException {
    return SqliteSeenUidStore.open(file);
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  // ------------------------------------------------------------------ the shortcut

  @Test
  void aPollAfterTheMarkAsksOnlyForTheNewMessagesAndFetchesThem() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              afterMark(c, KEPT, uids(KEPT + 3));
              retr(c, KEPT + 1, KEPT + 3);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(3);
      assertThat(result.onServer()).isEqualTo(KEPT + 3);
    }
    assertThat(delivered()).isEqualTo(3);
    Map<String, SeenUid> seen = store.load(key());
    assertThat(seen).hasSize(KEPT + 3);
    assertThat(seen.get("uid-" + (KEPT + 3)).state()).isEqualTo(UidState.KEPT);
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT + 3, "uid-" + (KEPT + 3), 1));
  }

  @Test
  void nothingNewCostsStatAndOneUidl() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              afterMark(c, KEPT, uids(KEPT));
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 1)));
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isZero();
    }
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT, "uid-" + KEPT, 2));
  }

  @Test
  void aMessageDeletedBeforeTheMarkAndOneAppendedTakeTheWholeListingAndTheNewOneIsFetched()
      throws Exception {
    // Another client deleted message 60; a new message came. The count is the mark's position
    // again, but message 120 is now the new one: nothing may be taken for known.
    List<String> now = new ArrayList<>(uids(KEPT));
    now.remove("uid-60");
    now.add("uid-new");
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              c.expect("STAT");
              c.send("+OK " + KEPT + " " + 30 * KEPT);
              c.expect("UIDL " + KEPT);
              c.send("+OK " + KEPT + " uid-new");
              wholeListing(c, now);
              retr(c, KEPT, KEPT);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
    }
    assertThat(delivered()).isEqualTo(1);
    Map<String, SeenUid> seen = store.load(key());
    assertThat(seen).containsKey("uid-new").doesNotContainKey("uid-60").hasSize(KEPT);
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT, "uid-new", 0));
  }

  @Test
  void withoutPipeliningTheMarkIsCheckedAloneBeforeTheNewMessagesAreListedOneByOne()
      throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedInWithoutPipelining(c);
              c.expect("STAT");
              c.send("+OK " + (KEPT + 2) + " " + 30 * (KEPT + 2));
              // Each command waits for its answer: the server answers before reading the next.
              c.expect("UIDL " + KEPT);
              c.send("+OK " + KEPT + " uid-" + KEPT);
              for (int i = KEPT + 1; i <= KEPT + 2; i++) {
                c.expect("UIDL " + i);
                c.send("+OK " + i + " uid-" + i);
              }
              for (int i = KEPT + 1; i <= KEPT + 2; i++) {
                c.expect("LIST " + i);
                c.send("+OK " + i + " 30");
              }
              for (int i = KEPT + 1; i <= KEPT + 2; i++) {
                c.expect("RETR " + i);
                c.send("+OK", "Subject: message " + i, "", "body " + i, ".");
              }
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
      assertThat(result.onServer()).isEqualTo(KEPT + 2);
    }
    assertThat(delivered()).isEqualTo(2);
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT + 2, "uid-" + (KEPT + 2), 1));
  }

  @Test
  void withoutPipeliningAMovedMarkCostsOneUidlBeforeTheWholeListing() throws Exception {
    // Another client deleted message 60: message 120 is now the one that was 121. Without
    // PIPELINING every command is a round trip, so nothing after the mark is asked for before the
    // mark is found moved.
    List<String> now = new ArrayList<>(uids(KEPT + 3));
    now.remove("uid-60");
    try (ScriptedServer server =
        server(
            c -> {
              loggedInWithoutPipelining(c);
              c.expect("STAT");
              c.send("+OK " + now.size() + " " + 30 * now.size());
              c.expect("UIDL " + KEPT);
              c.send("+OK " + KEPT + " " + now.get(KEPT - 1));
              c.expect("LIST");
              c.send("+OK");
              for (int i = 1; i <= now.size(); i++) {
                c.send(i + " 30");
              }
              c.send(".");
              c.expect("UIDL");
              c.send("+OK");
              for (int i = 1; i <= now.size(); i++) {
                c.send(i + " " + now.get(i - 1));
              }
              c.send(".");
              for (int i = KEPT; i <= now.size(); i++) {
                c.expect("RETR " + i);
                c.send("+OK", "Subject: message " + i, "", "body " + i, ".");
              }
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(3);
    }
    assertThat(store.load(key()))
        .containsKeys("uid-121", "uid-122", "uid-123")
        .doesNotContainKey("uid-60")
        .hasSize(KEPT + 2);
  }

  @Test
  void aPollAfterTheMarkReadsOnlyTheEntriesOfTheMessagesItLists() throws Exception {
    List<Collection<String>> lookedUp = new ArrayList<>();
    int[] wholeReads = {0};
    SeenUidStore counting =
        new SeenUidStore() {
          @Override
          public Map<String, SeenUid> load(AccountKey account) throws IOException {
            wholeReads[0]++;
            return store.load(account);
          }

          @Override
          public Map<String, SeenUid> load(AccountKey account, Collection<String> uids)
              throws IOException {
            lookedUp.add(List.copyOf(uids));
            return store.load(account, uids);
          }

          @Override
          public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
            store.record(account, entries);
          }

          @Override
          public void forget(AccountKey account, Collection<String> uids) throws IOException {
            store.forget(account, uids);
          }

          @Override
          public int adopt(AccountKey from, AccountKey to) throws IOException {
            return store.adopt(from, to);
          }

          @Override
          public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
            return store.loadMark(account);
          }

          @Override
          public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
            store.storeMark(account, mark);
          }

          @Override
          public void close() {}
        };
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              afterMark(c, KEPT, uids(KEPT + 1));
              retr(c, KEPT + 1, KEPT + 1);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      assertThat(poll(server, keep(), counting).fetched()).isEqualTo(1);
    }
    assertThat(wholeReads[0]).isZero();
    assertThat(lookedUp).containsExactly(List.of("uid-" + (KEPT + 1)));
  }

  // ------------------------------------------------------------------ the whole listing

  @Test
  void fewerMessagesThanTheMarkTakeTheWholeListing() throws Exception {
    List<String> now = new ArrayList<>(uids(KEPT));
    now.remove("uid-7");
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              c.expect("STAT");
              c.send("+OK " + (KEPT - 1) + " " + 30 * (KEPT - 1));
              wholeListing(c, now);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      assertThat(poll(server, keep()).failure()).isEmpty();
    }
    assertThat(store.load(key())).doesNotContainKey("uid-7").hasSize(KEPT - 1);
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT - 1, "uid-" + KEPT, 0));
  }

  @Test
  void aServerWithoutUidlOfOneMessageGetsTheWholeListingAndTheNewMessage() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              c.expect("STAT");
              c.send("+OK " + (KEPT + 1) + " " + 30 * (KEPT + 1));
              c.expect("UIDL " + KEPT);
              c.expect("UIDL " + (KEPT + 1));
              c.expect("LIST " + (KEPT + 1));
              c.send("-ERR unknown command", "-ERR unknown command", "+OK " + (KEPT + 1) + " 30");
              wholeListing(c, uids(KEPT + 1));
              retr(c, KEPT + 1, KEPT + 1);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
    }
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT + 1, "uid-" + (KEPT + 1), 0));
  }

  @Test
  void stateWithoutAMarkTakesTheWholeListingAndLeavesOne() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT + 1));
              retr(c, KEPT + 1, KEPT + 1);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.empty()); // as an older version left it
      assertThat(poll(server, keep()).fetched()).isEqualTo(1);
    }
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT + 1, "uid-" + (KEPT + 1), 0));
  }

  @Test
  void everyNthPollReadsTheWholeListingAndPrunesWhatOthersDeleted() throws Exception {
    // Message 121 was deleted by another client after the mark: only a whole listing sees it.
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT));
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT + 1, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 3)));
      assertThat(poll(server, keep()).failure()).isEmpty();
    }
    assertThat(store.load(key())).hasSize(KEPT).doesNotContainKey("uid-" + (KEPT + 1));
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT, "uid-" + KEPT, 0));
  }

  @Test
  void fullListingEveryOneNeverTakesTheShortcut() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT));
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      assertThat(poll(server, keep().withFullListingEvery(1)).failure()).isEmpty();
    }
  }

  @Test
  void deleteModeReadsTheWholeListingAndDeletesWhatWasKept() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT));
              for (int i = 1; i <= KEPT; i++) {
                c.expect("DELE " + i); // answered one by one: the client keeps a window
                c.send("+OK");
              }
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      PollResult result = poll(server, FetchPolicy.deleteMode());
      assertThat(result.failure()).isEmpty();
      assertThat(result.deleted()).isEqualTo(KEPT);
    }
    assertThat(store.loadMark(key())).isEmpty();
  }

  @Test
  void aDeleteAfterThatHasComeTakesTheWholeListingAndDeletesTheMessage() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT));
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      store.record(key(), List.of(new SeenUid("uid-1", UidState.KEPT, Instant.EPOCH, 30)));
      FetchPolicy deleteAfter =
          new FetchPolicy(
              true,
              Optional.of(Duration.ofDays(30)),
              OptionalLong.empty(),
              OptionalInt.empty(),
              200,
              1 << 25);
      PollResult result = poll(server, deleteAfter);
      assertThat(result.failure()).isEmpty();
      assertThat(result.deleted()).isEqualTo(1);
    }
    assertThat(store.load(key())).doesNotContainKey("uid-1").hasSize(KEPT - 1);
    // Message 120 is number 119 once message 1 is gone.
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT - 1, "uid-" + KEPT, 0));
  }

  // ------------------------------------------------------------------ where the mark stops

  @Test
  void aMessageLeftUnfetchedEndsTheMarkAndIsLookedAtAgainNextTime() throws Exception {
    // Message 121 is over max-size and left; 122 is fetched. The mark must stop at 120.
    List<String> sizes = new ArrayList<>();
    for (int i = 1; i <= KEPT + 2; i++) {
      sizes.add(i + " " + (i == KEPT + 1 ? 4000 : 30));
    }
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, sizes, uids(KEPT + 2));
              retr(c, KEPT + 2, KEPT + 2);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.empty());
      PollResult result = poll(server, keep(OptionalLong.of(3000)));
      assertThat(result.fetched()).isEqualTo(1);
      assertThat(result.oversize()).isEqualTo(1);
    }
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT, "uid-" + KEPT, 0));
    // The next poll, with max-size raised, lists from 120 and so still finds 121.
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              c.expect("STAT");
              c.send("+OK " + (KEPT + 2) + " 8000");
              for (int i = KEPT; i <= KEPT + 2; i++) {
                c.expect("UIDL " + i);
              }
              c.expect("LIST " + (KEPT + 1));
              c.expect("LIST " + (KEPT + 2));
              for (int i = KEPT; i <= KEPT + 2; i++) {
                c.send("+OK " + i + " uid-" + i);
              }
              c.send("+OK " + (KEPT + 1) + " 4000", "+OK " + (KEPT + 2) + " 30");
              c.expect("RETR " + (KEPT + 1));
              c.send("+OK", "Subject: big", "", "x".repeat(3900), ".");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server, keep(OptionalLong.of(100_000)));
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(1);
    }
    assertThat(delivered()).isEqualTo(2);
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT + 2, "uid-" + (KEPT + 2), 1));
  }

  @Test
  void aPollCutAfterTheMarkKeepsTheOldMarkAndTheNextPollFetchesWhatItMissed() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              afterMark(c, KEPT, uids(KEPT + 3));
              for (int i = KEPT + 1; i <= KEPT + 3; i++) {
                c.expect("RETR " + i);
              }
              message(c, KEPT + 1);
              c.send("+OK", "Subject: cut", "", "half a bo");
              c.close();
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      assertThat(poll(server, keep()).failure()).isPresent();
    }
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT, "uid-" + KEPT, 0));
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              afterMark(c, KEPT, uids(KEPT + 3));
              retr(c, KEPT + 2, KEPT + 3);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      PollResult result = poll(server, keep());
      assertThat(result.failure()).isEmpty();
      assertThat(result.fetched()).isEqualTo(2);
    }
    assertThat(delivered()).isEqualTo(3);
    assertThat(store.loadMark(key())).contains(new ListingMark(KEPT + 3, "uid-" + (KEPT + 3), 1));
  }

  @Test
  void aFailedPollOfTheWholeListingLeavesNoMark() throws Exception {
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT + 1));
              c.expect("RETR " + (KEPT + 1));
              c.close();
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 3)));
      assertThat(poll(server, keep()).failure()).isPresent();
    }
    assertThat(store.loadMark(key())).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  /** Every session of a test on the same port: the UIDs are scoped by server and port. */
  ScriptedServer server(ScriptedServer.Script script) throws IOException {
    ScriptedServer s = new ScriptedServer(port, null, script);
    port = s.port();
    return s;
  }

  AccountKey key() {
    return AccountKey.of("127.0.0.1", port, "u");
  }

  /** Messages 1..count were delivered and kept by earlier polls, which left {@code mark}. */
  void keptBefore(int count, Optional<ListingMark> mark) throws IOException {
    List<SeenUid> kept = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      kept.add(new SeenUid("uid-" + i, UidState.KEPT, Instant.now(), 30));
    }
    store.record(key(), kept);
    store.storeMark(key(), mark);
  }

  static FetchPolicy keep() {
    return keep(OptionalLong.empty());
  }

  private static FetchPolicy keep(OptionalLong maxSize) {
    return new FetchPolicy(true, Optional.empty(), maxSize, OptionalInt.empty(), 200, 1 << 25);
  }

  PollResult poll(ScriptedServer server, FetchPolicy policy) throws Exception {
    return poll(server, policy, store);
  }

  private PollResult poll(ScriptedServer server, FetchPolicy policy, SeenUidStore state)
      throws Exception {
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
            policy,
            state,
            new MaildirDestination(maildir, "h"),
            new MaildirDestination(dir.resolve("quarantine"), "h"),
            "h",
            Clock.systemUTC(),
            FetchObserver.NONE,
            ProtocolTrace.NONE)
        .run();
  }

  private long delivered() throws IOException {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return 0;
    }
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  static List<String> uids(int count) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add("uid-" + i);
    }
    return out;
  }

  /** Greeting, CAPA, USER/PASS, CAPA again: up to the first command of the transaction. */
  static void loggedIn(Conversation c) throws IOException {
    c.send("+OK ready");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
    c.expect("USER u");
    c.send("+OK");
    c.expect("PASS p");
    c.send("+OK");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
  }

  /** As {@link #loggedIn}, with a server that does not offer PIPELINING. */
  static void loggedInWithoutPipelining(Conversation c) throws IOException {
    c.send("+OK ready");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", ".");
    c.expect("USER u");
    c.send("+OK");
    c.expect("PASS p");
    c.send("+OK");
    c.expect("CAPA");
    c.send("+OK", "USER", "UIDL", ".");
  }

  /**
   * LIST and UIDL, whole, pipelined: message i has the unique-id {@code uids[i-1]} and 30 octets.
   */
  static void wholeListing(Conversation c, List<String> uids) throws IOException {
    List<String> sizes = new ArrayList<>();
    for (int i = 1; i <= uids.size(); i++) {
      sizes.add(i + " 30");
    }
    wholeListing(c, sizes, uids);
  }

  private static void wholeListing(Conversation c, List<String> sizes, List<String> uids)
      throws IOException {
    // Both asked for in one write (the server offers PIPELINING), before either is answered.
    c.expect("LIST");
    c.expect("UIDL");
    c.send("+OK");
    c.send(sizes.toArray(String[]::new));
    c.send(".");
    c.send("+OK");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= uids.size(); i++) {
      lines.add(i + " " + uids.get(i - 1));
    }
    c.send(lines.toArray(String[]::new));
    c.send(".");
  }

  /**
   * What a poll after the mark at {@code mark} must send, exactly: STAT, then UIDL of the mark's
   * message and each after it and LIST of each after it, all pipelined before any is answered.
   */
  static void afterMark(Conversation c, int mark, List<String> uids) throws IOException {
    int n = uids.size();
    c.expect("STAT");
    c.send("+OK " + n + " " + 30 * n);
    for (int i = mark; i <= n; i++) {
      c.expect("UIDL " + i);
    }
    for (int i = mark + 1; i <= n; i++) {
      c.expect("LIST " + i);
    }
    for (int i = mark; i <= n; i++) {
      c.send("+OK " + i + " " + uids.get(i - 1));
    }
    for (int i = mark + 1; i <= n; i++) {
      c.send("+OK " + i + " 30");
    }
  }

  /** Pipelined RETR of messages first..last, answered after all are asked for. */
  static void retr(Conversation c, int first, int last) throws IOException {
    for (int i = first; i <= last; i++) {
      c.expect("RETR " + i);
    }
    for (int i = first; i <= last; i++) {
      message(c, i);
    }
  }

  private static void message(Conversation c, int i) throws IOException {
    c.send("+OK", "Subject: message " + i, "", "body " + i, ".");
  }
}
