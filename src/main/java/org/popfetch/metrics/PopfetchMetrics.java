package org.popfetch.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollResult;

/**
 * What the service has done, per account: the time of the last successful poll and the failures
 * since, which its health check reads; and, when it serves metrics, polls by result, messages and
 * bytes fetched, poll duration, the queue's depth and oldest message, and the JVM's own meters.
 */
public final class PopfetchMetrics {
  private final Clock clock;
  private final Map<String, AccountState> accounts = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<TokenTimes>> oauth = new ConcurrentHashMap<>();

  /** Null in a service that serves no metrics: its status needs the health only. */
  private final PrometheusMeters meters;

  /**
   * An OAuth account's token times, read at each scrape. It gives times and a count, never a token
   * or a client secret.
   */
  public interface TokenTimes {
    /** When the access token held in memory expires, in epoch seconds; NaN if none is held. */
    double expiry();

    /** When the access token was last refreshed, in epoch seconds; NaN if not yet. */
    double lastRefresh();

    /**
     * Refreshes that failed since the service started (or the account's oauth settings changed).
     */
    double refreshFailures();
  }

  /** Per account: when it last succeeded, how often it failed since, how often it should poll. */
  private static final class AccountState {
    final AtomicLong lastSuccessEpoch = new AtomicLong();
    final AtomicLong consecutiveFailures = new AtomicLong();
    volatile Duration interval = Duration.ofMinutes(5);
    volatile Instant registered;
  }

  /** The health and every meter, for a service that serves /metrics. */
  public PopfetchMetrics(Clock clock) {
    this(clock, new PrometheusMeters());
  }

  private PopfetchMetrics(Clock clock, PrometheusMeters meters) {
    this.clock = clock;
    this.meters = meters;
  }

  /**
   * The health alone, for a service that serves no metrics: what its status shows, without the
   * meters' registry, classes and garbage-collection listener. Its {@link #scrape} is empty.
   */
  public static PopfetchMetrics healthOnly(Clock clock) {
    return new PopfetchMetrics(clock, null);
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
  public void cluster(
      DoubleSupplier configMismatch, DoubleSupplier nodes, DoubleSupplier leasesHeld) {
    if (meters != null) {
      meters.cluster(configMismatch, nodes, leasesHeld);
    }
  }

  /** A node as the cluster's metrics show it. */
  public record ClusterNodeSample(Instant lastCheckIn, boolean checkedIn) {}

  /**
   * The nodes (by name) and who polls what (node, by account), replacing the last ones; nothing
   * before {@link #cluster}.
   */
  public void clusterSnapshot(Map<String, ClusterNodeSample> nodes, Map<String, String> polling) {
    if (meters != null) {
      meters.clusterSnapshot(nodes, polling);
    }
  }

  /** Makes an account known, so that /health expects its polls. */
  public void account(String name, Duration interval) {
    AccountState s =
        accounts.computeIfAbsent(
            name,
            n -> {
              AccountState st = new AccountState();
              if (meters != null) {
                meters.account(n, st.lastSuccessEpoch, st.consecutiveFailures);
              }
              return st;
            });
    s.interval = interval;
    if (s.registered == null) {
      s.registered = clock.instant();
    }
  }

  /**
   * Shows an OAuth account's token times, tagged with the account: {@code
   * popfetch_oauth_token_expiry_seconds}, {@code popfetch_oauth_last_refresh_seconds} and {@code
   * popfetch_oauth_refresh_failures_total}. Called again for the same account (a reload that made
   * new tokens), the meters read {@code times} from then on.
   */
  public synchronized void oauth(String account, TokenTimes times) {
    AtomicReference<TokenTimes> held = oauth.get(account);
    if (held != null) {
      held.set(times);
      return;
    }
    AtomicReference<TokenTimes> ref = new AtomicReference<>(times);
    oauth.put(account, ref);
    if (meters != null) {
      meters.oauth(account, ref);
    }
  }

  /**
   * An observer that counts each poll it hears finish as {@link #poll} does, timed from when it
   * started, for an account whose mail goes to a {@code destination} kind.
   */
  public FetchObserver observer(String destination) {
    return new PollObserver(this, destination, clock);
  }

  /**
   * Counts one finished poll of an account whose mail goes to a {@code destination} kind
   * ("maildir", "mbox", "pipe", "smtp", "routed"). Deliveries are counted by result: delivered,
   * quarantined, and deferred (a poll that stopped on a temporary delivery failure; that message
   * stays on the server).
   */
  public void poll(PollResult result, Duration took, String destination) {
    if (meters != null) {
      meters.poll(result, took, destination);
    }
    AccountState s = accounts.get(result.account());
    if (s != null) {
      if (result.succeeded()) {
        s.lastSuccessEpoch.set(clock.instant().getEpochSecond());
        s.consecutiveFailures.set(0);
      } else {
        s.consecutiveFailures.incrementAndGet();
      }
    }
  }

  /**
   * Counts one message dealt with before download, without being fetched: {@code
   * popfetch_messages_decided_total} by account and action ("skip", "delete", "oversize-leave",
   * "oversize-delete", "oversize-notice").
   */
  public void decided(String account, Decision.Action action) {
    if (meters != null) {
      meters.decided(account, action);
    }
  }

  /**
   * Counts one pass of the forwarding queue: {@code popfetch_queue_runs_total} (whether the runner
   * is alive), and its messages by result.
   */
  public void queueRun(int delivered, int deferred, int bounced) {
    if (meters != null) {
      meters.queueRun(delivered, deferred, bounced);
    }
  }

  public void queue(long depth, Duration oldest) {
    if (meters != null) {
      meters.queue(depth, oldest);
    }
  }

  /** The Prometheus text exposition; empty without meters ({@link #healthOnly}). */
  public String scrape() {
    return meters == null ? "" : meters.scrape();
  }

  /**
   * Whether every account's last poll succeeded within its expected window (three intervals, so one
   * slow or failed poll is not an alarm); the text names those that did not.
   */
  public Health health() {
    Instant now = clock.instant();
    StringBuilder bad = new StringBuilder();
    accounts.forEach(
        (name, s) -> {
          Duration window = s.interval.multipliedBy(3).plusSeconds(30);
          Instant last =
              s.lastSuccessEpoch.get() == 0
                  ? s.registered
                  : Instant.ofEpochSecond(s.lastSuccessEpoch.get());
          if (last.plus(window).isBefore(now)
              || (s.lastSuccessEpoch.get() == 0 && s.consecutiveFailures.get() > 0)) {
            bad.append(name)
                .append(": no successful poll since ")
                .append(s.lastSuccessEpoch.get() == 0 ? "start" : last.toString())
                .append(" (")
                .append(s.consecutiveFailures.get())
                .append(" failures)\n");
          }
        });
    return bad.length() == 0 ? new Health(true, "ok\n") : new Health(false, bad.toString());
  }

  /** The health check's answer. */
  public record Health(boolean ok, String text) {}
}
