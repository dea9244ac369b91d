package org.popfetch.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
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

  @Test
  void theKeyIsTheSameOnEveryNodeAndDiffersPerMailbox() {
    assertThat(AdvisoryLeases.key(ALICE)).isEqualTo(AdvisoryLeases.key(ALICE));
    assertThat(AdvisoryLeases.key(ALICE)).isNotEqualTo(AdvisoryLeases.key(BOB));
  }
}
