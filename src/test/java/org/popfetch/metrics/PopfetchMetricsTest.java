package org.popfetch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.testing.TestClock;

class PopfetchMetricsTest {
  /** A clock the test moves. */
  private final TestClock clock = new TestClock(Instant.parse("2026-11-27T10:00:00Z"));

  private final PopfetchMetrics metrics = new PopfetchMetrics(clock);

  private static PollResult ok(String account, int fetched, long octets, int quarantined) {
    return new PollResult(
        account, fetched, fetched, octets, fetched, 0, quarantined, Optional.empty());
  }

  private static PollResult failed(String account, PollFailure.Kind kind) {
    return new PollResult(account, 1, 0, 0, 0, 0, 0, Optional.of(new PollFailure(kind, "said no")));
  }

  @Test
  void pollsMessagesBytesAndDeliveriesAreCountedPerAccountAndDestination() {
    metrics.account("work", Duration.ofMinutes(1));
    metrics.poll(ok("work", 3, 3000, 1), Duration.ofMillis(120), "maildir");
    metrics.poll(ok("work", 2, 500, 0), Duration.ofMillis(80), "maildir");
    metrics.poll(failed("work", PollFailure.Kind.DELIVERY), Duration.ofMillis(10), "maildir");

    String text = metrics.scrape();
    assertThat(text)
        .contains("popfetch_polls_total{account=\"work\",result=\"ok\"} 2.0")
        .contains("popfetch_polls_total{account=\"work\",result=\"delivery\"} 1.0")
        .contains("popfetch_messages_fetched_total{account=\"work\"} 5.0")
        .contains("popfetch_bytes_fetched_total{account=\"work\"} 3500.0")
        .contains(
            "popfetch_deliveries_total{account=\"work\",destination=\"maildir\",result=\"delivered\"}"
                + " 5.0")
        .contains(
            "popfetch_deliveries_total{account=\"work\",destination=\"maildir\",result=\"quarantined\"}"
                + " 1.0")
        .contains(
            "popfetch_deliveries_total{account=\"work\",destination=\"maildir\",result=\"deferred\"}"
                + " 1.0")
        .contains("popfetch_consecutive_failures{account=\"work\"} 1.0")
        .contains("popfetch_poll_duration_seconds_count{account=\"work\"} 3")
        .contains("jvm_memory_used_bytes");
    assertThat(text)
        .containsPattern(
            "popfetch_last_success_timestamp_seconds\\{account=\"work\"} 1\\.7[0-9.]+E9");
  }

  @Test
  void theObserverCountsAPollTimedFromItsStart() {
    metrics.account("work", Duration.ofMinutes(1));
    FetchObserver observer = metrics.observer("mbox");

    observer.started("work");
    clock.advance(Duration.ofSeconds(2));
    observer.finished(ok("work", 4, 400, 0));

    assertThat(metrics.scrape())
        .contains("popfetch_polls_total{account=\"work\",result=\"ok\"} 1.0")
        .contains(
            "popfetch_deliveries_total{account=\"work\",destination=\"mbox\",result=\"delivered\"}"
                + " 4.0")
        .contains("popfetch_poll_duration_seconds_count{account=\"work\"} 1")
        .contains("popfetch_poll_duration_seconds_sum{account=\"work\"} 2.0");
  }

  @Test
  void decisionsBeforeDownloadAreCountedByAction() {
    FetchObserver observer = metrics.observer("routed");
    Decision spam =
        new Decision(
            2,
            "uid-2",
            300,
            Decision.Seen.NEW,
            Decision.Action.DELETE,
            "rule 1",
            Optional.empty(),
            Optional.of("spam@example.net"),
            Optional.of("cheap"),
            java.util.List.of(),
            java.util.List.of());
    observer.decided("work", spam);
    observer.decided("work", spam);
    assertThat(metrics.scrape())
        .contains("popfetch_messages_decided_total{account=\"work\",action=\"delete\"} 2.0");
  }

  @Test
  void theClusterIsShownByNodeAndByAccountAndRowsThatAreGoneGoWithThem() {
    AtomicInteger mismatch = new AtomicInteger();
    metrics.cluster(mismatch::get, () -> 2, () -> 1);
    Instant mx1 = Instant.parse("2026-12-01T10:00:00Z");
    Map<String, PopfetchMetrics.ClusterNodeSample> nodes = new LinkedHashMap<>();
    nodes.put("mx1-100", new PopfetchMetrics.ClusterNodeSample(mx1, true));
    nodes.put("mx2-200", new PopfetchMetrics.ClusterNodeSample(mx1.minusSeconds(20), false));
    metrics.clusterSnapshot(nodes, Map.of("bob", "mx1-100", "alice", "mx2-200"));

    String text = metrics.scrape();
    assertThat(text)
        .contains("popfetch_cluster_config_mismatch 0.0")
        .contains("popfetch_cluster_nodes 2.0")
        .contains("popfetch_cluster_leases_held 1.0")
        .contains("popfetch_cluster_node_checked_in{node=\"mx1-100\"} 1.0")
        .contains("popfetch_cluster_node_checked_in{node=\"mx2-200\"} 0.0")
        .contains("popfetch_cluster_account_polled_by{account=\"bob\",node=\"mx1-100\"} 1.0")
        .contains("popfetch_cluster_account_polled_by{account=\"alice\",node=\"mx2-200\"} 1.0")
        .containsPattern(
            "popfetch_cluster_node_last_checkin_seconds\\{node=\"mx1-100\"} 1\\.7961192E9\n")
        .containsPattern(
            "popfetch_cluster_node_last_checkin_seconds\\{node=\"mx2-200\"} 1\\.79611918E9\n");

    mismatch.set(1);
    metrics.clusterSnapshot(
        Map.of("mx1-100", new PopfetchMetrics.ClusterNodeSample(mx1.plusSeconds(7), true)),
        Map.of("alice", "mx1-100"));

    assertThat(metrics.scrape())
        .contains("popfetch_cluster_config_mismatch 1.0")
        .contains("popfetch_cluster_account_polled_by{account=\"alice\",node=\"mx1-100\"} 1.0")
        .doesNotContain("node=\"mx2-200\"")
        .doesNotContain("account=\"bob\"");
  }

  /**
   * Micrometer holds a gauge's object weakly unless told otherwise. The cluster's gauges read
   * suppliers that nothing else holds (the node hands lambdas over its own fields): once a
   * collection took them, every scrape said NaN.
   */
  @Test
  void theClustersGaugesOutliveACollectionOfTheSuppliersNothingElseHolds() {
    AtomicInteger leases = new AtomicInteger(3);
    registerClusterWithSuppliersHeldByNoOne(leases);
    // A collection that clears weak references: the probe, as unheld as the suppliers, is gone.
    WeakReference<Object> probe = new WeakReference<>(new Object());
    for (int i = 0; i < 50 && probe.get() != null; i++) {
      System.gc();
    }
    assertThat(probe.get()).as("a collection cleared weak references").isNull();

    assertThat(metrics.scrape())
        .contains("popfetch_cluster_config_mismatch 1.0")
        .contains("popfetch_cluster_nodes 2.0")
        .contains("popfetch_cluster_leases_held 3.0");
  }

  private void registerClusterWithSuppliersHeldByNoOne(AtomicInteger leases) {
    AtomicInteger nodes = new AtomicInteger(2);
    // Capturing lambdas: a new object each, held by the gauge alone.
    metrics.cluster(() -> nodes.get() - 1, () -> nodes.get(), () -> leases.get());
  }

  @Test
  void aNodeNameFromTheDatabaseCannotForgeASample() {
    metrics.cluster(() -> 0, () -> 1, () -> 0);
    String hostile = "mx9\"} 1.0\npopfetch_forged 1.0\n#";
    metrics.clusterSnapshot(
        Map.of(hostile, new PopfetchMetrics.ClusterNodeSample(Instant.EPOCH, true)), Map.of());

    assertThat(metrics.scrape().lines())
        .noneMatch(l -> l.startsWith("popfetch_forged"))
        .anyMatch(l -> l.startsWith("popfetch_cluster_node_checked_in{node=\"mx9\\\""));
  }

  @Test
  void queuePassesAndDepthAreExposed() {
    metrics.queueRun(4, 1, 0);
    metrics.queueRun(1, 0, 2);
    metrics.queue(7, Duration.ofMinutes(3));

    assertThat(metrics.scrape())
        .contains("popfetch_queue_messages_total{result=\"delivered\"} 5.0")
        .contains("popfetch_queue_messages_total{result=\"deferred\"} 1.0")
        .contains("popfetch_queue_messages_total{result=\"bounced\"} 2.0")
        .contains("popfetch_queue_runs_total 2.0")
        .contains("popfetch_queue_depth 7.0")
        .contains("popfetch_queue_oldest_seconds 180.0");
  }

  /** With its meters, as a service serving /metrics has it, and without, as one that does not. */
  private PopfetchMetrics made(boolean meters) {
    return meters ? metrics : PopfetchMetrics.healthOnly(clock);
  }

  @ParameterizedTest(name = "meters: {0}")
  @ValueSource(booleans = {true, false})
  void healthFailsWhenAnAccountHasNotSucceededWithinThreeIntervals(boolean meters) {
    PopfetchMetrics metrics = made(meters);
    metrics.account("work", Duration.ofMinutes(1));
    metrics.account("home", Duration.ofMinutes(1));
    metrics.poll(ok("work", 0, 0, 0), Duration.ofMillis(5), "maildir");
    metrics.poll(ok("home", 0, 0, 0), Duration.ofMillis(5), "mbox");
    assertThat(metrics.health().ok()).isTrue();

    clock.advance(Duration.ofMinutes(2));
    metrics.poll(failed("home", PollFailure.Kind.AUTH), Duration.ofMillis(5), "mbox");
    metrics.poll(ok("work", 0, 0, 0), Duration.ofMillis(5), "maildir");
    assertThat(metrics.health().ok()).as("one failure inside the window is no alarm").isTrue();

    clock.advance(Duration.ofMinutes(2));
    metrics.poll(ok("work", 0, 0, 0), Duration.ofMillis(5), "maildir");
    PopfetchMetrics.Health h = metrics.health();
    assertThat(h.ok()).isFalse();
    assertThat(h.text()).contains("home: no successful poll since").doesNotContain("work");
  }

  @ParameterizedTest(name = "meters: {0}")
  @ValueSource(booleans = {true, false})
  void anAccountThatNeverSucceededIsUnhealthyAtItsFirstFailure(boolean meters) {
    PopfetchMetrics metrics = made(meters);
    metrics.account("new", Duration.ofMinutes(5));
    assertThat(metrics.health().ok()).as("not polled yet, still inside its window").isTrue();
    metrics.poll(failed("new", PollFailure.Kind.CONNECT), Duration.ofMillis(5), "pipe");
    assertThat(metrics.health().ok()).isFalse();
  }

  @Test
  void withoutMetersTheHealthIsKeptAndNothingIsCountedOrScraped() {
    PopfetchMetrics healthOnly = PopfetchMetrics.healthOnly(clock);
    healthOnly.account("work", Duration.ofMinutes(1));
    healthOnly.oauth(
        "work",
        new PopfetchMetrics.TokenTimes() {
          @Override
          public double expiry() {
            return 1;
          }

          @Override
          public double lastRefresh() {
            return 0;
          }

          @Override
          public double refreshFailures() {
            return 0;
          }
        });
    healthOnly.cluster(() -> 0, () -> 1, () -> 1);
    healthOnly.clusterSnapshot(
        Map.of("n1", new PopfetchMetrics.ClusterNodeSample(clock.instant(), true)),
        Map.of("work", "n1"));
    FetchObserver observer = healthOnly.observer("maildir");
    observer.started("work");
    observer.decided(
        "work",
        new Decision(
            1,
            "uid-1",
            100,
            Decision.Seen.NEW,
            Decision.Action.DELETE,
            "rule 1",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            java.util.List.of(),
            java.util.List.of()));
    observer.finished(failed("work", PollFailure.Kind.CONNECT));
    healthOnly.queueRun(1, 2, 3);
    healthOnly.queue(4, Duration.ofMinutes(5));

    assertThat(healthOnly.health().ok())
        .as("the observer's failed poll reached the health")
        .isFalse();
    assertThat(healthOnly.health().text())
        .contains("work: no successful poll since start (1 failures)");
    assertThat(healthOnly.scrape()).isEmpty();
  }
}
