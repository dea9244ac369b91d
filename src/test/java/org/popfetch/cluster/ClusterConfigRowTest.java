package org.popfetch.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.popfetch.cluster.ClusterConfigRow.Outcome;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import org.popfetch.testing.PostgresInstance;

/** The cluster converges to the newest configuration, rescheduled once, by one node. */
class ClusterConfigRowTest {
  static PostgresInstance postgres;

  static final Instant T1 = Instant.parse("2026-12-01T10:00:00Z");
  static final Instant T2 = Instant.parse("2026-12-01T11:00:00Z");

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

  static ClusterConfigRow row() throws Exception {
    PostgresConnector c =
        new PostgresConnector(
            postgres.createDatabase(), Optional.of("postgres"), Optional.empty(), "test");
    PostgresSchema.prepare(c);
    return new ClusterConfigRow(c);
  }

  @Test
  void nodesStartingAtOnceWithOneFileRescheduleOnceInTheCluster() throws Exception {
    ClusterConfigRow row = row();
    AtomicInteger reconciled = new AtomicInteger();
    int nodes = 3;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<Outcome>> all = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        String node = "node" + i;
        all.add(
            pool.submit(
                () -> {
                  go.await();
                  return row.converge("digest-a", T1, node, reconciled::incrementAndGet);
                }));
      }
      go.countDown();
      List<Outcome> outcomes = new ArrayList<>();
      for (Future<Outcome> f : all) {
        outcomes.add(f.get());
      }
      assertThat(outcomes).containsOnlyOnce(Outcome.APPLIED).contains(Outcome.SAME);
    } finally {
      pool.shutdown();
    }
    assertThat(reconciled).hasValue(1);
  }

  @Test
  void aNewerFileIsFollowedAndAStaleNodeCannotRollTheClusterBack() throws Exception {
    ClusterConfigRow row = row();
    AtomicInteger reconciled = new AtomicInteger();
    assertThat(row.converge("digest-a", T1, "n1", reconciled::incrementAndGet))
        .isEqualTo(Outcome.APPLIED);
    assertThat(row.converge("digest-b", T2, "n2", reconciled::incrementAndGet))
        .isEqualTo(Outcome.APPLIED);
    assertThat(row.converge("digest-b", T2, "n3", reconciled::incrementAndGet))
        .isEqualTo(Outcome.SAME);
    assertThat(row.converge("digest-a", T1, "n1", reconciled::incrementAndGet))
        .as("the stale node")
        .isEqualTo(Outcome.OLDER);
    assertThat(reconciled).hasValue(2);
    assertThat(row.read()).map(ClusterConfigRow.Current::digest).contains("digest-b");
    assertThat(row.read()).map(ClusterConfigRow.Current::node).contains("n2");
  }

  @Test
  void aFailedRescheduleLeavesTheRowForTheNextTry() throws Exception {
    ClusterConfigRow row = row();
    assertThatThrownBy(
            () ->
                row.converge(
                    "digest-a",
                    T1,
                    "n1",
                    () -> {
                      throw new IllegalStateException("scheduler down");
                    }))
        .hasMessageContaining("cannot reschedule the cluster: scheduler down");
    assertThat(row.read()).isEmpty();
    assertThat(row.converge("digest-a", T1, "n2", () -> {})).isEqualTo(Outcome.APPLIED);
  }
}
