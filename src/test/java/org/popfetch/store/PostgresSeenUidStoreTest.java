package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.UidState;
import org.popfetch.testing.PostgresInstance;

/** The seen-UID contract on a real PostgreSQL, and what only a shared database has to show. */
class PostgresSeenUidStoreTest extends SeenUidStoreContract {
  static PostgresInstance postgres;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresInstance.start();
    url = postgres.createDatabase();
    try (Connection c = connector().open("schema")) {
      PostgresSchema.migrate(c);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void empty() throws Exception {
    try (Connection c = connector().open("test");
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE popfetch_seen_uid");
      s.execute("TRUNCATE popfetch_listing_mark");
      s.execute("DELETE FROM popfetch_schema WHERE version > " + PostgresSchema.steps().size());
    }
  }

  static PostgresConnector connector() {
    return new PostgresConnector(url, Optional.of("postgres"), Optional.empty(), "test");
  }

  @Override
  SeenUidStore open() {
    return PostgresSeenUidStore.open(connector(), 2);
  }

  @Test
  void aRecordedBatchSurvivesACrashOfTheDatabase() throws Exception {
    try (SeenUidStore store = open()) {
      store.record(WORK, List.of(new SeenUid("u1", UidState.DELETE_PENDING, Instant.EPOCH, 10)));
    }
    postgres.kill(); // no checkpoint: the commit must be in the WAL already
    postgres.startAgain();
    try (SeenUidStore store = open()) {
      assertThat(store.load(WORK).get("u1").state()).isEqualTo(UidState.DELETE_PENDING);
    }
  }

  @Test
  void aDatabaseThatIsDownFailsTheCallWithItsReasonAndTheStoreRecoversAfter() throws Exception {
    try (SeenUidStore store = open()) {
      store.record(WORK, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
      postgres.stop();
      try {
        assertThatThrownBy(
                () ->
                    store.record(
                        WORK, List.of(new SeenUid("u2", UidState.KEPT, Instant.EPOCH, 10))))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("cannot write the shared state store: ");
      } finally {
        postgres.startAgain();
      }
      store.record(WORK, List.of(new SeenUid("u3", UidState.KEPT, Instant.EPOCH, 10)));
      assertThat(store.load(WORK)).containsOnlyKeys("u1", "u3");
    }
  }

  @Test
  void nodesStartingAtOnceMigrateOnceAndNoneFails() throws Exception {
    String fresh = postgres.createDatabase();
    PostgresConnector c =
        new PostgresConnector(fresh, Optional.of("postgres"), Optional.empty(), "test");
    int nodes = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<PostgresSchema.Versions>> all = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        all.add(
            pool.submit(
                () -> {
                  try (Connection db = c.open("schema")) {
                    go.await();
                    return PostgresSchema.migrate(db);
                  }
                }));
      }
      go.countDown();
      List<PostgresSchema.Versions> done = new ArrayList<>();
      for (Future<PostgresSchema.Versions> f : all) {
        done.add(f.get());
      }
      assertThat(done).filteredOn(v -> v.before() == 0).hasSize(1);
      assertThat(done).filteredOn(v -> v.before() == v.after()).hasSize(nodes - 1);
    } finally {
      pool.shutdown();
    }
    try (Connection db = c.open("schema");
        Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT lock_name FROM qrtz_locks ORDER BY lock_name")) {
      List<String> locks = new ArrayList<>();
      while (rs.next()) {
        locks.add(rs.getString(1));
      }
      assertThat(locks).containsExactly("STATE_ACCESS", "TRIGGER_ACCESS");
    }
  }

  @Test
  void migratingAgainKeepsWhatIsThere() throws Exception {
    try (SeenUidStore store = open()) {
      store.record(WORK, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
    }
    try (Connection c = connector().open("schema")) {
      int latest = PostgresSchema.steps().size();
      assertThat(PostgresSchema.migrate(c)).isEqualTo(new PostgresSchema.Versions(latest, latest));
    }
    try (SeenUidStore store = open()) {
      assertThat(store.load(WORK)).containsOnlyKeys("u1");
    }
  }

  @Test
  void aDatabaseOfANewerPopfetchIsRefused() throws Exception {
    try (Connection c = connector().open("schema");
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO popfetch_schema (version) VALUES (99)");
      assertThatThrownBy(() -> PostgresSchema.migrate(c))
          .hasMessageContaining(
              "schema version 99, newer than this popfetch knows ("
                  + PostgresSchema.steps().size()
                  + ")");
    }
  }

  @Test
  void aDatabaseOfTheFirstSchemaGetsListingMarksAndKeepsItsEntries() throws Exception {
    try (SeenUidStore store = open()) {
      store.record(WORK, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
    }
    try (Connection c = connector().open("schema");
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE popfetch_listing_mark");
      s.execute("DELETE FROM popfetch_schema WHERE version > 1");
      assertThat(PostgresSchema.migrate(c))
          .isEqualTo(new PostgresSchema.Versions(1, PostgresSchema.steps().size()));
    }
    try (SeenUidStore store = open()) {
      assertThat(store.load(WORK)).containsOnlyKeys("u1");
      assertThat(store.loadMark(WORK)).isEmpty();
      store.storeMark(WORK, Optional.of(new ListingMark(1, "u1", 0)));
      assertThat(store.loadMark(WORK)).contains(new ListingMark(1, "u1", 0));
    }
  }
}
