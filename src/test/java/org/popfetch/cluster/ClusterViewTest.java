package org.popfetch.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import org.popfetch.testing.PostgresInstance;

/**
 * What {@code status} and {@code /metrics} show of the cluster, read from a real PostgreSQL: the
 * nodes' rows as Quartz keeps them, and the leases as the nodes' lease sessions hold them.
 */
class ClusterViewTest {
  static PostgresInstance postgres;

  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  static final Duration CHECK_IN = Duration.ofMillis(7500);
  static final AccountKey ALICE = AccountKey.of("pop.example.com", 995, "alice");
  static final AccountKey BOB = AccountKey.of("pop.example.com", 995, "bob");

  private String url;
  private ClusterView view;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresInstance.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void database() throws Exception {
    url = postgres.createDatabase();
    PostgresConnector status = connector("status-reader");
    PostgresSchema.prepare(status);
    view = new ClusterView(status, PostgresSchema.SCHEDULER_NAME, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private PostgresConnector connector(String node) {
    return new PostgresConnector(url, Optional.of("postgres"), Optional.empty(), node);
  }

  /** A node's row as Quartz's cluster manager writes it at each check-in. */
  private void checkedIn(String node, Instant at) throws Exception {
    try (Connection db = postgres.connect(url);
        PreparedStatement q =
            db.prepareStatement(
                "INSERT INTO qrtz_scheduler_state"
                    + " (sched_name, instance_name, last_checkin_time, checkin_interval)"
                    + " VALUES (?, ?, ?, ?)")) {
      q.setString(1, PostgresSchema.SCHEDULER_NAME);
      q.setString(2, node);
      q.setLong(3, at.toEpochMilli());
      q.setLong(4, CHECK_IN.toMillis());
      q.executeUpdate();
    }
  }

  private static Map<String, AccountKey> accounts() {
    Map<String, AccountKey> accounts = new LinkedHashMap<>();
    accounts.put("alice", ALICE);
    accounts.put("bob", BOB);
    return accounts;
  }

  @Test
  void twoNodesAreShownWithTheirLastCheckIn() throws Exception {
    checkedIn("mx2-200", NOW.minusSeconds(3));
    checkedIn("mx1-100", NOW.minusSeconds(1));

    ClusterView.Snapshot s = view.read(accounts());

    assertThat(s.at()).isEqualTo(NOW);
    assertThat(s.nodes())
        .containsExactly(
            new ClusterView.Node(
                "mx1-100", NOW.minusSeconds(1), CHECK_IN, ClusterView.State.CHECKED_IN),
            new ClusterView.Node(
                "mx2-200", NOW.minusSeconds(3), CHECK_IN, ClusterView.State.CHECKED_IN));
    assertThat(s.polling()).as("no lease is held").isEmpty();
  }

  @Test
  void aLeaseHeldByOneNodeShowsItsAccountWithThatNode() throws Exception {
    checkedIn("mx1-100", NOW);
    checkedIn("mx2-200", NOW);
    try (Lease held = new AdvisoryLeases(connector("mx2-200")).tryAcquire(BOB).orElseThrow()) {
      assertThat(view.read(accounts()).polling()).containsExactly(Map.entry("bob", "mx2-200"));
    }
    assertThat(view.read(accounts()).polling()).as("given back").isEmpty();
  }

  @Test
  void aNodePastItsCheckInIsShownLateThenDead() throws Exception {
    checkedIn("on-time", NOW.minus(CHECK_IN)); // just due: its next check-in is running now
    checkedIn("late", NOW.minusSeconds(12)); // 7.5 s + more than half of it
    checkedIn("dead", NOW.minusSeconds(16)); // past 7.5 s + Quartz's 7.5 s of grace

    List<ClusterView.Node> nodes = view.read(accounts()).nodes();

    assertThat(nodes)
        .extracting(ClusterView.Node::name, ClusterView.Node::state)
        .containsExactly(
            tuple("dead", ClusterView.State.DEAD),
            tuple("late", ClusterView.State.LATE),
            tuple("on-time", ClusterView.State.CHECKED_IN));
  }

  @Test
  void aLeaseHolderWhoseLongNameThePostgresqlServerCutIsStillNamedWhole() throws Exception {
    String longName = "node-" + "x".repeat(60) + ".example.org-4242";
    checkedIn(longName, NOW);
    checkedIn("mx1-100", NOW);
    try (Lease held = new AdvisoryLeases(connector(longName)).tryAcquire(ALICE).orElseThrow()) {
      assertThat(view.read(accounts()).polling()).containsExactly(Map.entry("alice", longName));
    }
  }

  @Test
  void aNodeThatQuartzHasNotYetWrittenStillShowsTheAccountItPolls() throws Exception {
    try (Lease held = new AdvisoryLeases(connector("mx3-300")).tryAcquire(ALICE).orElseThrow()) {
      ClusterView.Snapshot s = view.read(accounts());
      assertThat(s.nodes()).isEmpty();
      assertThat(s.polling()).containsExactly(Map.entry("alice", "mx3-300"));
    }
  }
}
