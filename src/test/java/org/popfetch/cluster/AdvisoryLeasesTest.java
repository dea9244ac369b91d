package org.popfetch.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.store.PostgresConnector;
import org.popfetch.testing.PostgresInstance;

/** The per-account lease on a real PostgreSQL: exclusive, given back, and lost when it must be. */
class AdvisoryLeasesTest {
  static PostgresInstance postgres;
  static PostgresConnector connector;

  static final AccountKey ALICE = AccountKey.of("pop.example.com", 995, "alice");
  static final AccountKey BOB = AccountKey.of("pop.example.com", 995, "bob");

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresInstance.start();
    connector =
        new PostgresConnector(
            postgres.createDatabase(), Optional.of("postgres"), Optional.empty(), "test-node");
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aLeaseHeldByOneNodeIsRefusedToAnotherUntilGivenBack() throws Exception {
    AdvisoryLeases a = new AdvisoryLeases(connector);
    AdvisoryLeases b = new AdvisoryLeases(connector);
    Lease held = a.tryAcquire(ALICE).orElseThrow();
    assertThat(b.tryAcquire(ALICE)).as("another node, same mailbox").isEmpty();
    try (Lease other = b.tryAcquire(BOB).orElseThrow()) {
      other.check();
    }
    held.check();
    held.close();
    try (Lease again = b.tryAcquire(ALICE).orElseThrow()) {
      again.check();
    }
  }

  @Test
  void aLeaseWhoseSessionTheServerEndedIsLostAndTakenByTheNext() throws Exception {
    Lease held = new AdvisoryLeases(connector).tryAcquire(ALICE).orElseThrow();
    // As the server does to a node it can no longer reach (its keepalives went unanswered).
    postgres.psql(
        connector.url().substring(connector.url().lastIndexOf('/') + 1),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE application_name = 'popfetch lease test-node'");
    assertThatThrownBy(held::check)
        .isInstanceOf(Lease.LostException.class)
        .hasMessageContaining("lost with its connection");
    assertThatThrownBy(held::check).isInstanceOf(Lease.LostException.class);
    held.close();
    try (Lease next = new AdvisoryLeases(connector).tryAcquire(ALICE).orElseThrow()) {
      next.check();
    }
  }

  @Test
  void aLeaseIsLostWhenTheDatabaseRestarts() throws Exception {
    Lease held = new AdvisoryLeases(connector).tryAcquire(BOB).orElseThrow();
    postgres.stop();
    postgres.startAgain();
    assertThatThrownBy(held::check).isInstanceOf(Lease.LostException.class);
    held.close();
  }

  private static int nodes;

  /** A connector with a node name of its own, so that its sessions can be told from the others'. */
  private static PostgresConnector freshNode() {
    return new PostgresConnector(
        connector.url(), Optional.of("postgres"), Optional.empty(), "pool-node-" + ++nodes);
  }

  private static String database() {
    return connector.url().substring(connector.url().lastIndexOf('/') + 1);
  }

  /** The server processes of {@code node}'s lease sessions, ascending. */
  private static String leaseSessions(PostgresConnector node) throws Exception {
    return postgres
        .psql(
            database(),
            "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity"
                + " WHERE application_name = 'popfetch lease "
                + node.node()
                + "'")
        .strip();
  }

  /** How many advisory locks the sessions of {@code node} hold, granted or waiting. */
  private static String advisoryLocks(PostgresConnector node) throws Exception {
    return postgres
        .psql(
            database(),
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                + " WHERE l.locktype = 'advisory' AND a.application_name = 'popfetch lease "
                + node.node()
                + "'")
        .strip();
  }

  private static void endSessions(PostgresConnector node) throws Exception {
    postgres.psql(
        database(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE application_name = 'popfetch lease "
            + node.node()
            + "'");
  }

  @Test
  void aLeaseGivenBackLeavesItsSessionWithoutTheLockForTheNextLease() throws Exception {
    PostgresConnector node = freshNode();
    try (AdvisoryLeases leases = new AdvisoryLeases(node, 2)) {
      leases.tryAcquire(ALICE).orElseThrow().close();
      String session = leaseSessions(node);
      assertThat(session).as("the session kept").isNotEmpty().doesNotContain(",");
      assertThat(advisoryLocks(node)).as("locks held by the kept session").isEqualTo("0");
      try (Lease other = new AdvisoryLeases(freshNode()).tryAcquire(ALICE).orElseThrow()) {
        other.check(); // the lock is free for another node
      }
      try (Lease next = leases.tryAcquire(BOB).orElseThrow()) {
        next.check();
        assertThat(leaseSessions(node)).as("the next lease's session").isEqualTo(session);
      }
    }
    // A closed connection's server process ends a moment later.
    await("sessions once the leases are closed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> leaseSessions(node).isEmpty());
  }

  @Test
  void aLeaseRefusedLeavesItsSessionKeptAndHoldingNothing() throws Exception {
    PostgresConnector node = freshNode();
    try (AdvisoryLeases leases = new AdvisoryLeases(node, 2);
        Lease held = new AdvisoryLeases(freshNode()).tryAcquire(ALICE).orElseThrow()) {
      assertThat(leases.tryAcquire(ALICE)).isEmpty();
      assertThat(leaseSessions(node)).isNotEmpty();
      assertThat(advisoryLocks(node)).isEqualTo("0");
      held.check();
    }
  }

  @Test
  void anIdleSessionTheServerEndedIsReplacedAtTheNextLease() throws Exception {
    PostgresConnector node = freshNode();
    try (AdvisoryLeases leases = new AdvisoryLeases(node, 2)) {
      Lease first = leases.tryAcquire(ALICE).orElseThrow();
      Lease second = leases.tryAcquire(BOB).orElseThrow();
      first.close();
      second.close();
      String before = leaseSessions(node);
      assertThat(before).contains(",");
      endSessions(node); // as a restart of the server, or its keepalives, would
      await().atMost(Duration.ofSeconds(10)).until(() -> leaseSessions(node).isEmpty());

      try (Lease next = leases.tryAcquire(ALICE).orElseThrow()) {
        next.check();
        assertThat(leaseSessions(node)).as("one new session").isNotEmpty().doesNotContain(",");
        assertThat(Set.of(before.split(","))).doesNotContain(leaseSessions(node));
      }
    }
  }

  @Test
  void aLeaseFoundLostHasItsConnectionClosedNotKept() throws Exception {
    PostgresConnector node = freshNode();
    try (AdvisoryLeases leases = new AdvisoryLeases(node, 2)) {
      Lease held = leases.tryAcquire(ALICE).orElseThrow();
      String session = leaseSessions(node);
      endSessions(node);
      assertThatThrownBy(held::check).isInstanceOf(Lease.LostException.class);
      held.close();
      assertThat(leases.idle()).as("connections kept").isZero();
      try (Lease next = leases.tryAcquire(ALICE).orElseThrow()) {
        next.check();
        assertThat(leaseSessions(node)).isNotEmpty().isNotEqualTo(session);
      }
      assertThat(leases.idle()).isEqualTo(1);
    }
  }

  @Test
  void noMoreSessionsAreKeptThanAskedAndNoneWithoutAsking() throws Exception {
    PostgresConnector one = freshNode();
    try (AdvisoryLeases leases = new AdvisoryLeases(one, 1)) {
      Lease a = leases.tryAcquire(ALICE).orElseThrow();
      Lease b = leases.tryAcquire(BOB).orElseThrow();
      assertThat(leaseSessions(one).split(",")).hasSize(2);
      a.close();
      b.close();
      assertThat(leases.idle()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> leaseSessions(one).split(",").length == 1);
    }
    PostgresConnector none = freshNode();
    try (AdvisoryLeases leases = new AdvisoryLeases(none)) {
      leases.tryAcquire(ALICE).orElseThrow().close();
      assertThat(leases.idle()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> leaseSessions(none).isEmpty());
    }
  }

  @Test
  void theKeyIsTheSameOnEveryNodeAndDiffersPerMailbox() {
    assertThat(AdvisoryLeases.key(ALICE)).isEqualTo(AdvisoryLeases.key(ALICE));
    assertThat(AdvisoryLeases.key(ALICE)).isNotEqualTo(AdvisoryLeases.key(BOB));
  }
}
