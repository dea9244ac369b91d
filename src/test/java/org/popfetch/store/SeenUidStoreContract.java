package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.UidState;

/**
 * What every {@link SeenUidStore} promises, run against each: the SQLite file and the PostgreSQL
 * database several nodes share.
 */
abstract class SeenUidStoreContract {
  static final AccountKey WORK = AccountKey.of("pop.example.com", 995, "alice");
  static final AccountKey OTHER = AccountKey.of("pop.example.com", 995, "bob");

  /** Opens the store of this test: the same state each time it is called within one test. */
  abstract SeenUidStore open() throws Exception;

  @Test
  void hostileUidsSurviveByteForByteAndStayPerAccount() throws Exception {
    List<String> uids =
        List.of(
            "plain",
            "it's \"quoted\"",
            "nul\0in",
            "new\nline",
            "\u00ff\u0080high",
            "'); DROP TABLE seen_uid; --",
            "x".repeat(1000));
    try (SeenUidStore store = open()) {
      List<SeenUid> entries = new ArrayList<>();
      for (String u : uids) {
        entries.add(new SeenUid(u, UidState.KEPT, Instant.ofEpochMilli(1_700_000_000_000L), 42));
      }
      store.record(WORK, entries);
      store.record(OTHER, List.of(new SeenUid("plain", UidState.DELETE_PENDING, Instant.EPOCH, 1)));
    }
    try (SeenUidStore store = open()) {
      Map<String, SeenUid> work = store.load(WORK);
      assertThat(work.keySet()).containsExactlyInAnyOrderElementsOf(uids);
      assertThat(work.get("nul\0in").state()).isEqualTo(UidState.KEPT);
      assertThat(work.get("plain").firstSeen()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
      assertThat(store.load(OTHER).get("plain").state()).isEqualTo(UidState.DELETE_PENDING);

      store.forget(WORK, List.of("plain", "new\nline"));
      store.record(
          WORK, List.of(new SeenUid("nul\0in", UidState.DELETE_PENDING, Instant.EPOCH, 42)));
      Map<String, SeenUid> after = store.load(WORK);
      assertThat(after).hasSize(uids.size() - 2).doesNotContainKeys("plain", "new\nline");
      assertThat(after.get("nul\0in").state()).isEqualTo(UidState.DELETE_PENDING);
      assertThat(store.load(OTHER)).containsKey("plain");
    }
  }

  @Test
  void everyFieldOfAnEntryIsKeptAndAReplacementReplacesItWhole() throws Exception {
    try (SeenUidStore store = open()) {
      store.record(
          WORK,
          List.of(new SeenUid("u", UidState.FAILED, Instant.ofEpochMilli(5), 7, 2, "disk full")));
      assertThat(store.load(WORK).get("u"))
          .isEqualTo(new SeenUid("u", UidState.FAILED, Instant.ofEpochMilli(5), 7, 2, "disk full"));
      store.record(WORK, List.of(new SeenUid("u", UidState.DELETE_PENDING, Instant.EPOCH, 7)));
      assertThat(store.load(WORK).get("u"))
          .isEqualTo(new SeenUid("u", UidState.DELETE_PENDING, Instant.EPOCH, 7));
    }
  }

  @Test
  void deletePendingEntriesAreThereForTheNextOpener() throws Exception {
    SeenUidStore first = open();
    first.record(WORK, List.of(new SeenUid("u1", UidState.DELETE_PENDING, Instant.EPOCH, 10)));
    // The process that wrote it is gone (no orderly close matters: the write was committed).
    try (SeenUidStore next = open()) {
      assertThat(next.load(WORK).get("u1").state()).isEqualTo(UidState.DELETE_PENDING);
    } finally {
      first.close();
    }
  }

  @Test
  void emptyWritesAreNoOps() throws Exception {
    try (SeenUidStore store = open()) {
      store.record(WORK, List.of());
      store.forget(WORK, List.of());
      assertThat(store.load(WORK)).isEmpty();
    }
  }

  @Test
  void stateOfAnOlderScopeIsAdoptedWholeInOneMoveAndOnlyOnce() throws Exception {
    AccountKey old = AccountKey.beforePorts("POP.example.com", "alice");
    try (SeenUidStore store = open()) {
      store.record(OTHER, List.of(new SeenUid("u1", UidState.DELETE_PENDING, Instant.EPOCH, 1)));
      store.record(
          old,
          List.of(
              new SeenUid("u1", UidState.KEPT, Instant.ofEpochMilli(1_000), 10),
              new SeenUid("u2", UidState.FAILED, Instant.ofEpochMilli(2_000), 20, 2, "disk full")));

      assertThat(store.adopt(old, WORK)).isEqualTo(2);

      Map<String, SeenUid> work = store.load(WORK);
      assertThat(work).containsOnlyKeys("u1", "u2");
      assertThat(work.get("u2"))
          .isEqualTo(
              new SeenUid("u2", UidState.FAILED, Instant.ofEpochMilli(2_000), 20, 2, "disk full"));
      assertThat(store.load(old)).isEmpty();
      assertThat(store.load(OTHER)).containsOnlyKeys("u1");
      assertThat(store.adopt(old, WORK)).as("a second run changes nothing").isZero();
    }
  }

  @Test
  void adoptionNeverMergesIntoAScopeThatHasStateOfItsOwn() throws Exception {
    AccountKey old = AccountKey.beforePorts("pop.example.com", "alice");
    try (SeenUidStore store = open()) {
      store.record(old, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
      store.record(WORK, List.of(new SeenUid("u9", UidState.KEPT, Instant.EPOCH, 90)));

      assertThat(store.adopt(old, WORK)).isZero();

      assertThat(store.load(WORK)).containsOnlyKeys("u9");
      assertThat(store.load(old)).containsOnlyKeys("u1");
    }
  }

  @Test
  void aListingMarkIsKeptPerAccountReplacedAndRemoved() throws Exception {
    ListingMark hostile = new ListingMark(120, "it's\0\u00ff\n'); DROP TABLE x; --", 2);
    try (SeenUidStore store = open()) {
      assertThat(store.loadMark(WORK)).isEmpty();
      store.storeMark(WORK, Optional.of(hostile));
      store.storeMark(OTHER, Optional.of(new ListingMark(5, "b", 0)));
    }
    try (SeenUidStore store = open()) {
      assertThat(store.loadMark(WORK)).contains(hostile);
      store.storeMark(WORK, Optional.of(new ListingMark(130, "c", 3)));
      assertThat(store.loadMark(WORK)).contains(new ListingMark(130, "c", 3));
      store.storeMark(WORK, Optional.empty());
      assertThat(store.loadMark(WORK)).isEmpty();
      store.storeMark(WORK, Optional.empty());
      assertThat(store.loadMark(OTHER)).contains(new ListingMark(5, "b", 0));
    }
    try (SeenUidStore store = open()) {
      assertThat(store.loadMark(WORK)).isEmpty();
    }
  }

  @Test
  void adoptionRemovesTheMarksOfBothScopes() throws Exception {
    AccountKey old = AccountKey.beforePorts("pop.example.com", "alice");
    try (SeenUidStore store = open()) {
      store.record(old, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
      store.storeMark(old, Optional.of(new ListingMark(1, "u1", 0)));
      store.storeMark(WORK, Optional.of(new ListingMark(7, "x", 0)));
      store.storeMark(OTHER, Optional.of(new ListingMark(9, "y", 0)));

      assertThat(store.adopt(old, WORK)).isEqualTo(1);

      assertThat(store.loadMark(old)).isEmpty();
      assertThat(store.loadMark(WORK)).isEmpty();
      assertThat(store.loadMark(OTHER)).contains(new ListingMark(9, "y", 0));
    }
  }

  @Test
  void entriesLookedUpByUidHoldAtLeastThoseAskedForAsStored() throws Exception {
    SeenUid odd = new SeenUid("nul\0'\u00ff", UidState.FAILED, Instant.ofEpochMilli(9), 7, 2, "x");
    try (SeenUidStore store = open()) {
      store.record(
          WORK,
          List.of(
              new SeenUid("a", UidState.KEPT, Instant.EPOCH, 1),
              new SeenUid("b", UidState.KEPT, Instant.EPOCH, 2),
              odd));
      store.record(OTHER, List.of(new SeenUid("c", UidState.KEPT, Instant.EPOCH, 3)));
    }
    try (SeenUidStore store = open()) {
      Map<String, SeenUid> some = store.load(WORK, List.of("b", odd.uid(), "c", "missing", "b"));
      assertThat(some.get("b")).isEqualTo(new SeenUid("b", UidState.KEPT, Instant.EPOCH, 2));
      assertThat(some.get(odd.uid())).isEqualTo(odd);
      assertThat(some).doesNotContainKeys("c", "missing");
      assertThat(store.load(WORK, List.of())).doesNotContainKey("c");
    }
  }
}
