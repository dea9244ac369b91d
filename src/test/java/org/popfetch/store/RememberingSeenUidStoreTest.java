package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.UidState;

class RememberingSeenUidStoreTest {
  @TempDir Path dir;

  private static final AccountKey WORK = AccountKey.of("pop.example.com", 995, "alice");
  private static final AccountKey OTHER = AccountKey.of("pop.example.com", 995, "bob");
  private static final AccountKey THIRD = AccountKey.of("pop.example.net", 110, "carol");

  /** What a fresh connection to the file reads: the truth a restarted service would see. */
  private Map<String, SeenUid> inFile(AccountKey key) throws IOException {
    try (SqliteSeenUidStore s = SqliteSeenUidStore.open(dir.resolve("state.db"))) {
      return new HashMap<>(s.load(key));
    }
  }

  private static SeenUid seen(String uid, UidState state, long size) {
    return new SeenUid(uid, state, Instant.ofEpochMilli(1_700_000_000_000L + size), size);
  }

  @Test
  void aLongRandomRunOfWritesAlwaysLoadsWhatTheFileHolds() throws Exception {
    Random random = new Random(13);
    List<AccountKey> keys = List.of(WORK, OTHER, THIRD);
    UidState[] states = UidState.values();
    // A budget below what the three hold: mailboxes are dropped and read again along the way.
    try (RememberingSeenUidStore store =
        new RememberingSeenUidStore(SqliteSeenUidStore.open(dir.resolve("state.db")), 120)) {
      for (int step = 0; step < 300; step++) {
        AccountKey key = keys.get(random.nextInt(keys.size()));
        int op = random.nextInt(10);
        if (op < 5) {
          List<SeenUid> batch = new ArrayList<>();
          for (int i = random.nextInt(12); i >= 0; i--) {
            String uid = "u" + random.nextInt(80) + (random.nextInt(9) == 0 ? "\0\u00ff'" : "");
            SeenUid e = seen(uid, states[random.nextInt(states.length)], random.nextInt(5000));
            batch.add(random.nextInt(5) == 0 ? e.failedAgain("disk full " + step) : e);
          }
          store.record(key, batch);
        } else if (op < 8) {
          List<String> gone = new ArrayList<>();
          for (int i = random.nextInt(10); i >= 0; i--) {
            gone.add("u" + random.nextInt(80));
          }
          store.forget(key, gone);
        } else if (op < 9) {
          store.adopt(key, keys.get(random.nextInt(keys.size())));
        }
        for (AccountKey k : keys) {
          assertThat(new HashMap<>(store.load(k))).as("step %d", step).isEqualTo(inFile(k));
        }
        assertThat(store.held()).isLessThanOrEqualTo(120);
      }
    }
  }

  @Test
  void aLoadedMapStaysAsLoadedWhileLaterWritesChangeTheNextOne() throws Exception {
    try (RememberingSeenUidStore store =
        new RememberingSeenUidStore(SqliteSeenUidStore.open(dir.resolve("state.db")), 1_000)) {
      store.record(WORK, List.of(seen("a", UidState.KEPT, 10), seen("b", UidState.KEPT, 20)));
      Map<String, SeenUid> first = store.load(WORK);
      store.record(WORK, List.of(seen("c", UidState.KEPT, 30), seen("a", UidState.FAILED, 10)));
      store.forget(WORK, List.of("b"));
      assertThat(first).containsOnlyKeys("a", "b");
      assertThat(first.get("a").state()).isEqualTo(UidState.KEPT);
      Map<String, SeenUid> next = store.load(WORK);
      assertThat(next).containsOnlyKeys("a", "c");
      assertThat(next.get("a").state()).isEqualTo(UidState.FAILED);
      assertThatThrownBy(() -> next.put("d", seen("d", UidState.KEPT, 1)))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  /**
   * A store whose writes fail when told: before reaching the file (a full disk), or after (the
   * write is durable but its success was lost on the way back).
   */
  private static final class Failing implements SeenUidStore {
    enum When {
      NEVER,
      BEFORE_WRITING,
      AFTER_WRITING
    }

    private final SeenUidStore file;
    When when = When.NEVER;

    Failing(SeenUidStore file) {
      this.file = file;
    }

    private void write(IoAction action) throws IOException {
      if (when == When.BEFORE_WRITING) {
        throw new IOException("database or disk is full");
      }
      action.run();
      if (when == When.AFTER_WRITING) {
        throw new IOException("disk I/O error");
      }
    }

    interface IoAction {
      void run() throws IOException;
    }

    @Override
    public Map<String, SeenUid> load(AccountKey account) throws IOException {
      return file.load(account);
    }

    @Override
    public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
      write(() -> file.record(account, entries));
    }

    @Override
    public void forget(AccountKey account, Collection<String> uids) throws IOException {
      write(() -> file.forget(account, uids));
    }

    @Override
    public int adopt(AccountKey from, AccountKey to) throws IOException {
      return file.adopt(from, to);
    }

    @Override
    public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
      return file.loadMark(account);
    }

    @Override
    public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
      write(() -> file.storeMark(account, mark));
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  @Test
  void aListingMarkIsWrittenThroughAndAFailedWriteLeavesTheNextLoadToTheFile() throws Exception {
    Failing below = new Failing(SqliteSeenUidStore.open(dir.resolve("s.db")));
    ListingMark first = new ListingMark(120, "u120", 0);
    try (RememberingSeenUidStore store = new RememberingSeenUidStore(below, 1_000)) {
      assertThat(store.loadMark(WORK)).isEmpty();
      store.storeMark(WORK, Optional.of(first));
      assertThat(store.loadMark(WORK)).contains(first);
      // Removed in the file although the call failed: remembering the old mark would let the
      // next poll trust it after a poll that may have changed what it speaks for.
      below.when = Failing.When.AFTER_WRITING;
      assertThatThrownBy(() -> store.storeMark(WORK, Optional.empty()))
          .isInstanceOf(IOException.class);
      assertThat(store.loadMark(WORK)).isEmpty();
      below.when = Failing.When.NEVER;
      store.storeMark(WORK, Optional.of(first));
      below.when = Failing.When.BEFORE_WRITING;
      assertThatThrownBy(() -> store.storeMark(WORK, Optional.of(new ListingMark(130, "u130", 1))))
          .isInstanceOf(IOException.class);
      assertThat(store.loadMark(WORK)).contains(first);
    }
    try (SqliteSeenUidStore file = SqliteSeenUidStore.open(dir.resolve("s.db"))) {
      assertThat(file.loadMark(WORK)).contains(first);
    }
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownLeavesTheNextLoadToTheFile() throws Exception {
    Failing below = new Failing(SqliteSeenUidStore.open(dir.resolve("s.db")));
    try (RememberingSeenUidStore store = new RememberingSeenUidStore(below, 1_000)) {
      store.record(WORK, List.of(seen("old", UidState.KEPT, 10)));
      assertThat(store.load(WORK)).containsOnlyKeys("old");
      below.when = Failing.When.AFTER_WRITING;
      // Recorded in the file although the call failed: remembering "old" alone would fetch "new"
      // a second time at the next poll.
      assertThatThrownBy(() -> store.record(WORK, List.of(seen("new", UidState.KEPT, 20))))
          .isInstanceOf(IOException.class);
      assertThat(store.load(WORK)).containsOnlyKeys("old", "new");
      // Forgotten in the file although the call failed: remembering "old" would take a message
      // the server later lists under that id for one already delivered, and never fetch it.
      assertThatThrownBy(() -> store.forget(WORK, List.of("old"))).isInstanceOf(IOException.class);
      assertThat(store.load(WORK)).containsOnlyKeys("new");
    }
  }

  @Test
  void aWriteThatFailsBeforeReachingTheFileIsNotRemembered() throws Exception {
    Failing below = new Failing(SqliteSeenUidStore.open(dir.resolve("s.db")));
    try (RememberingSeenUidStore store = new RememberingSeenUidStore(below, 1_000)) {
      store.record(WORK, List.of(seen("a", UidState.DELETE_PENDING, 10)));
      assertThat(store.load(WORK)).containsOnlyKeys("a");
      below.when = Failing.When.BEFORE_WRITING;
      // Remembering "b" would skip a message that was never recorded, so never deleted either.
      assertThatThrownBy(() -> store.record(WORK, List.of(seen("b", UidState.KEPT, 2))))
          .isInstanceOf(IOException.class);
      // Forgetting "a" in memory only would deliver it again if the server still lists it.
      assertThatThrownBy(() -> store.forget(WORK, List.of("a"))).isInstanceOf(IOException.class);
      below.when = Failing.When.NEVER;
      assertThat(store.load(WORK)).containsOnlyKeys("a");
      assertThat(store.load(WORK).get("a").state()).isEqualTo(UidState.DELETE_PENDING);
    }
  }

  @Test
  void aShortcutCountIsKeptInMemoryOnlyWhileTheFilesMarkIsAtTheSamePlace() throws Exception {
    try (RememberingSeenUidStore store =
        new RememberingSeenUidStore(SqliteSeenUidStore.open(dir.resolve("s.db")), 1_000)) {
      store.storeMark(WORK, Optional.of(new ListingMark(120, "u120", 0)));
      store.countShortcut(WORK, new ListingMark(120, "u120", 1));
      assertThat(store.loadMark(WORK)).contains(new ListingMark(120, "u120", 1));
      // Not known in memory yet: written through.
      store.countShortcut(OTHER, new ListingMark(130, "u130", 2));
      // Another place than the file's mark: written through.
      store.countShortcut(WORK, new ListingMark(121, "u121", 2));
      assertThat(store.loadMark(WORK)).contains(new ListingMark(121, "u121", 2));
    }
    try (SqliteSeenUidStore file = SqliteSeenUidStore.open(dir.resolve("s.db"))) {
      assertThat(file.loadMark(WORK)).contains(new ListingMark(121, "u121", 2));
      assertThat(file.loadMark(OTHER)).contains(new ListingMark(130, "u130", 2));
    }
  }

  @Test
  void aMailboxIsInMemoryOnlyWhileBothItsMarkAndItsEntriesAreHeld() throws Exception {
    Failing below = new Failing(SqliteSeenUidStore.open(dir.resolve("s.db")));
    try (RememberingSeenUidStore store = new RememberingSeenUidStore(below, 1_000)) {
      store.record(WORK, List.of(seen("a", UidState.KEPT, 10)));
      assertThat(store.inMemory(WORK)).as("nothing read yet").isFalse();
      store.load(WORK);
      assertThat(store.inMemory(WORK)).as("the mark not yet read").isFalse();
      store.loadMark(WORK);
      assertThat(store.inMemory(WORK)).isTrue();
      assertThat(store.inMemory(OTHER)).isFalse();
      store.record(WORK, List.of(seen("b", UidState.KEPT, 20)));
      assertThat(store.inMemory(WORK)).as("kept after a write that succeeded").isTrue();
      below.when = Failing.When.AFTER_WRITING;
      assertThatThrownBy(() -> store.record(WORK, List.of(seen("c", UidState.KEPT, 30))))
          .isInstanceOf(IOException.class);
      assertThat(store.inMemory(WORK)).as("read from the file after a failed write").isFalse();
      below.when = Failing.When.NEVER;
      assertThat(store.load(WORK)).containsOnlyKeys("a", "b", "c");
      assertThat(store.inMemory(WORK)).isTrue();
      below.when = Failing.When.AFTER_WRITING;
      assertThatThrownBy(() -> store.storeMark(WORK, Optional.empty()))
          .isInstanceOf(IOException.class);
      assertThat(store.inMemory(WORK)).as("the mark read from the file again").isFalse();
    }
  }

  @Test
  void adoptionMovesTheEntriesAsTheFileMovesThem() throws Exception {
    AccountKey old = AccountKey.beforePorts("pop.example.com", "alice");
    try (RememberingSeenUidStore store =
        new RememberingSeenUidStore(SqliteSeenUidStore.open(dir.resolve("state.db")), 1_000)) {
      store.record(old, List.of(seen("a", UidState.KEPT, 10)));
      assertThat(store.load(old)).containsOnlyKeys("a");
      assertThat(store.load(WORK)).isEmpty();
      assertThat(store.adopt(old, WORK)).isEqualTo(1);
      assertThat(store.load(old)).isEmpty();
      assertThat(store.load(WORK)).containsOnlyKeys("a");
    }
  }

  @Test
  void theBudgetDropsTheMailboxesLoadedLongestAgoAndKeepsNoneLargerThanItself() throws Exception {
    try (RememberingSeenUidStore store =
        new RememberingSeenUidStore(SqliteSeenUidStore.open(dir.resolve("state.db")), 10)) {
      for (AccountKey k : List.of(WORK, OTHER, THIRD)) {
        List<SeenUid> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          four.add(seen(k.storageKey() + i, UidState.KEPT, i));
        }
        store.record(k, four);
        store.load(k);
      }
      assertThat(store.held()).isEqualTo(8); // WORK dropped for THIRD
      List<SeenUid> eleven = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        eleven.add(seen("big" + i, UidState.KEPT, i));
      }
      store.record(WORK, eleven);
      assertThat(store.load(WORK)).hasSize(15);
      assertThat(store.held()).isEqualTo(8);
    }
  }
}
