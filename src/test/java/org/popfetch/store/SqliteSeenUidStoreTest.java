package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.UidState;
import org.sqlite.JDBC;

class SqliteSeenUidStoreTest extends SeenUidStoreContract {
  @TempDir Path dir;

  @Override
  SeenUidStore open() throws Exception {
    return SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state/state.db"));
  }

  @Test
  void theFileAndItsDirectoryArePrivate() throws Exception {
    Path file = dir.resolve("state/state.db");
    try (SeenUidStore store = open()) {
      store.record(WORK, List.of(new SeenUid("u", UidState.KEPT, Instant.EPOCH, 1)));
    }
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
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
  void aFileOfAVersionBeforeListingMarksHasNoMarkKeepsItsEntriesAndTakesOne() throws Exception {
    Path file = dir.resolve("old.db");
    // The schema as versions before listing marks made it.
    try (Connection db = new JDBC().connect("jdbc:sqlite:" + file, new Properties());
        Statement s = db.createStatement()) {
      s.execute(
          "CREATE TABLE seen_uid (account TEXT NOT NULL, uid BLOB NOT NULL, state TEXT NOT NULL,"
              + " first_seen INTEGER NOT NULL, size INTEGER NOT NULL, attempts INTEGER NOT NULL"
              + " DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', PRIMARY KEY (account, uid))"
              + " WITHOUT ROWID");
      s.execute(
          "INSERT INTO seen_uid VALUES ('"
              + WORK.storageKey()
              + "', CAST('u1' AS BLOB), 'KEPT', 1000, 10, 0, '')");
    }
    try (SqliteSeenUidStore store = SqliteSeenUidStore.openReadOnly(file)) {
      assertThat(store.loadMark(WORK)).isEmpty(); // explain reads an old file as it is
    }
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open(file)) {
      assertThat(store.loadMark(WORK)).isEmpty();
      assertThat(store.load(WORK)).containsOnlyKeys("u1");
      store.storeMark(WORK, Optional.of(new ListingMark(1, "u1", 0)));
    }
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open(file)) {
      assertThat(store.loadMark(WORK)).contains(new ListingMark(1, "u1", 0));
    }
  }
}
