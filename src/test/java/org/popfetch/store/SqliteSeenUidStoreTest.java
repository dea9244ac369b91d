package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.UidState;
import org.sqlite.JDBC;

class SqliteSeenUidStoreTest {
  @TempDir Path dir;

  private static final AccountKey WORK = AccountKey.of("pop.example.com", 995, "alice");
  private static final AccountKey OTHER = AccountKey.of("pop.example.com", 995, "bob");

  @Test
  void hostileUidsSurviveByteForByteAndStayPerAccount() throws Exception {
    Path file = dir.resolve("state/state.db");
    List<String> uids =
        List.of(
            "plain",
            "it's \"quoted\"",
            "nul\0in",
            "new\nline",
            "\u00ff\u0080high",
            "'); DROP TABLE seen_uid; --",
            "x".repeat(1000));
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + file)) {
      List<SeenUid> entries = new ArrayList<>();
      for (String u : uids) {
        entries.add(new SeenUid(u, UidState.KEPT, Instant.ofEpochMilli(1_700_000_000_000L), 42));
      }
      store.record(WORK, entries);
      store.record(OTHER, List.of(new SeenUid("plain", UidState.DELETE_PENDING, Instant.EPOCH, 1)));
    }
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + file)) {
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
  void stateStoredWithoutThePortIsAdoptedWholeInOneMove() throws Exception {
    Path file = dir.resolve("state.db");
    AccountKey old = AccountKey.beforePorts("POP.example.com", "alice");
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + file)) {
      store.record(OTHER, List.of(new SeenUid("u1", UidState.DELETE_PENDING, Instant.EPOCH, 1)));
    }
    // Rows as an earlier version wrote them, keyed "user@server".
    try (Connection db = new JDBC().connect("jdbc:sqlite:" + file, new Properties());
        Statement s = db.createStatement()) {
      s.execute(
          "INSERT INTO seen_uid VALUES ('alice@pop.example.com', CAST('u1' AS BLOB), 'KEPT', 1000,"
              + " 10, 0, '')");
      s.execute(
          "INSERT INTO seen_uid VALUES ('alice@pop.example.com', CAST('u2' AS BLOB), 'FAILED',"
              + " 2000, 20, 2, 'disk full')");
    }
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + file)) {
      assertThat(store.load(old)).containsOnlyKeys("u1", "u2");

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
    try (SqliteSeenUidStore store =
        SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"))) {
      store.record(old, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
      store.record(WORK, List.of(new SeenUid("u9", UidState.KEPT, Instant.EPOCH, 90)));

      assertThat(store.adopt(old, WORK)).isZero();

      assertThat(store.load(WORK)).containsOnlyKeys("u9");
      assertThat(store.load(old)).containsOnlyKeys("u1");
    }
  }
}
