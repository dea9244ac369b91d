package org.popfetch.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;

/**
 * The Micrometer side of {@link PopfetchMetrics}: the registry /metrics is scraped from, the JVM's
 * own meters, and popfetch's meters by account. Made only by a service that serves metrics: the
 * registry, its binders and the Prometheus model are some 450 classes and a listener on every
 * garbage collection, which a service that serves no metrics would carry for nothing.
 */
final class PrometheusMeters {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong queueDepth = new AtomicLong();
  private final AtomicLong queueOldestSeconds = new AtomicLong();
  private final Map<PollKey, PollMeters> pollMeters = new ConcurrentHashMap<>();

  PrometheusMeters() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("popfetch_queue_depth", queueDepth, AtomicLong::get)
        .description("messages in the forwarding queue")
        .register(registry);
    Gauge.builder("popfetch_queue_oldest_seconds", queueOldestSeconds, AtomicLong::get)
        .description("age of the oldest queued message")
        .register(registry);
  }

  /**
   * Shows the cluster this node is part of: {@code popfetch_cluster_config_mismatch} (1 while this
   * node's configuration differs from the one the cluster follows), {@code popfetch_cluster_nodes}
   * (the nodes in the cluster's check-in table, late or dead ones until the others remove them) and
   * {@code popfetch_cluster_leases_held} (the accounts this node polls now), read at each scrape;
   * and from each {@link #clusterSnapshot}, {@code
   * popfetch_cluster_node_last_checkin_seconds{node}}, {@code
   * popfetch_cluster_node_checked_in{node}} (1 while the node keeps to its check-ins, 0 once it is
   * late or taken for dead) and {@code popfetch_cluster_account_polled_by{account,node}} (1 for the
   * node polling it now). A node or an account's poll that is gone has no sample any more.
   */
  synchronized void cluster(
      DoubleSupplier configMismatch, DoubleSupplier nodes, DoubleSupplier leasesHeld) {
    if (clusterCheckIns != null) {
      return;
    }
    // Held strongly: a gauge holds its object weakly by default, and nothing else holds these
    // suppliers (the node hands over lambdas), so a collection left every scrape saying NaN.
    Gauge.builder("popfetch_cluster_config_mismatch", configMismatch, DoubleSupplier::getAsDouble)
        .description("1 while this node's configuration differs from the cluster's")
        .strongReference(true)
        .register(registry);
    Gauge.builder("popfetch_cluster_nodes", nodes, DoubleSupplier::getAsDouble)
        .description("nodes in the cluster's check-in table, late or dead ones included")
        .strongReference(true)
        .register(registry);
    Gauge.builder("popfetch_cluster_leases_held", leasesHeld, DoubleSupplier::getAsDouble)
        .description("accounts this node polls right now")
        .strongReference(true)
        .register(registry);
    clusterCheckIns =
        MultiGauge.builder("popfetch_cluster_node_last_checkin_seconds")
            .description("when each node last checked in (epoch seconds)")
            .register(registry);
    clusterCheckedIn =
        MultiGauge.builder("popfetch_cluster_node_checked_in")
            .description("1 while the node checks in on time, 0 once it is late or dead")
            .register(registry);
    clusterPolling =
        MultiGauge.builder("popfetch_cluster_account_polled_by")
            .description("1 for the node that polls the account right now")
            .register(registry);
  }

  private MultiGauge clusterCheckIns;
  private MultiGauge clusterCheckedIn;
  private MultiGauge clusterPolling;

  /**
   * The nodes (by name) and who polls what (node, by account), replacing the last ones; nothing
   * before {@link #cluster}.
   */
  synchronized void clusterSnapshot(
      Map<String, PopfetchMetrics.ClusterNodeSample> nodes, Map<String, String> polling) {
    if (clusterCheckIns == null) {
      return;
    }
    clusterCheckIns.register(
        nodes.entrySet().stream()
            .map(
                e ->
                    MultiGauge.Row.of(
                        Tags.of("node", e.getKey()),
                        e.getValue().lastCheckIn().toEpochMilli() / 1000.0))
            .toList(),
        true);
    clusterCheckedIn.register(
        nodes.entrySet().stream()
            .map(
                e ->
                    MultiGauge.Row.of(
                        Tags.of("node", e.getKey()), e.getValue().checkedIn() ? 1.0 : 0.0))
            .toList(),
        true);
    clusterPolling.register(
        polling.entrySet().stream()
            .map(e -> MultiGauge.Row.of(Tags.of("account", e.getKey(), "node", e.getValue()), 1.0))
            .toList(),
        true);
  }

  /** An account's health as gauges: when its last poll succeeded, and its failures since. */
  void account(String name, AtomicLong lastSuccessEpoch, AtomicLong consecutiveFailures) {
    Gauge.builder("popfetch_last_success_timestamp_seconds", lastSuccessEpoch, AtomicLong::get)
        .tag("account", name)
        .description("when the account's last poll succeeded")
        .register(registry);
    Gauge.builder("popfetch_consecutive_failures", consecutiveFailures, AtomicLong::get)
        .tag("account", name)
        .description("failed polls since the last success")
        .register(registry);
  }

  /** An OAuth account's token times, read from {@code ref} at each scrape. */
  void oauth(String account, AtomicReference<PopfetchMetrics.TokenTimes> ref) {
    Gauge.builder("popfetch_oauth_token_expiry_seconds", ref, r -> r.get().expiry())
        .tag("account", account)
        .description("when the account's access token expires (epoch seconds)")
        .register(registry);
    Gauge.builder("popfetch_oauth_last_refresh_seconds", ref, r -> r.get().lastRefresh())
        .tag("account", account)
        .description("when the account's access token was last refreshed (epoch seconds)")
        .register(registry);
    FunctionCounter.builder(
            "popfetch_oauth_refresh_failures_total", ref, r -> r.get().refreshFailures())
        .tag("account", account)
        .description("failed refreshes of the account's access token")
        .register(registry);
  }

  /** Counts one finished poll, as {@link PopfetchMetrics#poll} describes. */
  void poll(PollResult result, Duration took, String destination) {
    PollMeters m =
        pollMeters.computeIfAbsent(
            new PollKey(result.account(), destination), k -> new PollMeters(registry, k));
    m.delivered.increment(result.fetched());
    m.quarantined.increment(result.quarantined());
    boolean deferred =
        result.failure().filter(f -> f.kind() == PollFailure.Kind.DELIVERY).isPresent();
    m.deferred.increment(deferred ? 1 : 0);
    m.polls(result.failure().map(f -> f.kind().name().toLowerCase()).orElse("ok")).increment();
    m.messagesFetched.increment(result.fetched());
    m.bytesFetched.increment(result.octets());
    m.messagesQuarantined.increment(result.quarantined());
    m.duration.record(took);
  }

  /** Counts one message dealt with before download, as {@link PopfetchMetrics#decided} does. */
  void decided(String account, Decision.Action action) {
    Counter.builder("popfetch_messages_decided_total")
        .description("messages left, deleted or noticed by a decision before download")
        .tag("account", account)
        .tag("action", action.key())
        .register(registry)
        .increment();
  }

  /** The meters one account's polls to one kind of destination count in. */
  private record PollKey(String account, String destination) {}

  /**
   * Looked up once per account and destination, not at each poll: the registry builds an id and
   * searches its map for every lookup, a cost an idle service would pay a hundred times a minute.
   */
  private static final class PollMeters {
    final Counter delivered;
    final Counter quarantined;
    final Counter deferred;
    final Counter messagesFetched;
    final Counter bytesFetched;
    final Counter messagesQuarantined;
    final Timer duration;
    private final Map<String, Counter> polls = new ConcurrentHashMap<>();
    private final PrometheusMeterRegistry registry;
    private final String account;

    PollMeters(PrometheusMeterRegistry registry, PollKey key) {
      this.registry = registry;
      this.account = key.account();
      delivered = deliveries(registry, key, "delivered");
      quarantined = deliveries(registry, key, "quarantined");
      deferred = deliveries(registry, key, "deferred");
      messagesFetched =
          Counter.builder("popfetch_messages_fetched_total")
              .tag("account", account)
              .register(registry);
      bytesFetched =
          Counter.builder("popfetch_bytes_fetched_total")
              .tag("account", account)
              .register(registry);
      messagesQuarantined =
          Counter.builder("popfetch_messages_quarantined_total")
              .tag("account", account)
              .register(registry);
      duration = Timer.builder("popfetch_poll_duration").tag("account", account).register(registry);
    }

    /** The poll counter of one result ("ok", "auth", ...). */
    Counter polls(String outcome) {
      return polls.computeIfAbsent(
          outcome,
          o ->
              Counter.builder("popfetch_polls_total")
                  .tag("account", account)
                  .tag("result", o)
                  .register(registry));
    }

    private static Counter deliveries(
        PrometheusMeterRegistry registry, PollKey key, String result) {
      return Counter.builder("popfetch_deliveries_total")
          .description("messages handed to the account's destination, by result")
          .tag("account", key.account())
          .tag("destination", key.destination())
          .tag("result", result)
          .register(registry);
    }
  }

  /** Counts one pass of the forwarding queue, as {@link PopfetchMetrics#queueRun} does. */
  void queueRun(int delivered, int deferred, int bounced) {
    Counter.builder("popfetch_queue_runs_total")
        .description("passes of the forwarding queue, scheduled or after a poll that queued mail")
        .register(registry)
        .increment();
    queueOutcome("delivered", delivered);
    queueOutcome("deferred", deferred);
    queueOutcome("bounced", bounced);
  }

  private void queueOutcome(String result, int n) {
    Counter.builder("popfetch_queue_messages_total")
        .description("forwarding attempts, by result")
        .tag("result", result)
        .register(registry)
        .increment(n);
  }

  void queue(long depth, Duration oldest) {
    queueDepth.set(depth);
    queueOldestSeconds.set(oldest.toSeconds());
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
