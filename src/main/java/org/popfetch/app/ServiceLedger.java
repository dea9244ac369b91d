package org.popfetch.app;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.popfetch.control.Heartbeat;
import org.popfetch.control.SdNotify;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollResult;

/**
 * What the service has done lately, for {@code popfetch status} and systemd's STATUS= line: each
 * account's last poll and when it ended, the queue's size. It hears every poll through the observer
 * it wraps around the metrics' one, and tells the {@link Heartbeat} of every step.
 */
final class ServiceLedger {
  private static final DateTimeFormatter HH_MM =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

  /** An account's last poll and when it ended. */
  record Last(PollResult result, Instant at) {}

  private final Clock clock;
  private final Heartbeat heartbeat;
  private final SdNotify notify;
  private final Runnable settled;
  private final Instant started;
  private final Map<String, Last> last = new ConcurrentHashMap<>();
  private volatile List<String> accounts = List.of();
  private volatile Instant lastPoll;
  private volatile int queued;

  /**
   * The accounts not yet polled since {@link #firstPolls}; null before it and once {@code settled}
   * ran.
   */
  private Set<String> unpolled;

  /**
   * {@code settled} runs once every account has polled after a start or a reload, on the thread of
   * the last of those polls.
   */
  ServiceLedger(Clock clock, Heartbeat heartbeat, SdNotify notify, Runnable settled) {
    this.clock = clock;
    this.heartbeat = heartbeat;
    this.notify = notify;
    this.settled = settled;
    this.started = clock.instant();
  }

  /** The accounts polled now (after a start or reload), in configuration order. */
  void accounts(List<String> names) {
    accounts = List.copyOf(names);
    last.keySet().retainAll(names);
  }

  /**
   * Counts the accounts' polls from now: {@code settled} runs once each has ended one. An account
   * that does not poll (resting after failures, a schedule not yet come, or in a cluster one that
   * another node leases) holds it back, so that the heap is then given back only at the next full
   * collection the JVM makes by itself.
   */
  synchronized void firstPolls() {
    unpolled = new HashSet<>(accounts);
  }

  List<String> accounts() {
    return accounts;
  }

  Optional<Last> last(String account) {
    return Optional.ofNullable(last.get(account));
  }

  Instant started() {
    return started;
  }

  int queued() {
    return queued;
  }

  void queue(int size) {
    queued = size;
  }

  /** "12 accounts, last poll 20:31, queue 0": systemd shows it in {@code systemctl status}. */
  String summary() {
    Instant p = lastPoll;
    return accounts.size()
        + " account(s), last poll "
        + (p == null ? "none yet" : HH_MM.format(p))
        + ", queue "
        + queued;
  }

  /** Whether {@code account}'s poll was the last one not yet made since the start or reload. */
  private synchronized boolean allPolled(String account) {
    if (unpolled == null || !unpolled.remove(account) || !unpolled.isEmpty()) {
      return false;
    }
    unpolled = null;
    return true;
  }

  /** Passes everything on to {@code inner}, noting progress and each poll's end. */
  FetchObserver observer(FetchObserver inner) {
    return new FetchObserver() {
      @Override
      public void started(String account) {
        heartbeat.beat();
        inner.started(account);
      }

      @Override
      public void fetching(String account, int messages, long octets) {
        heartbeat.beat();
        inner.fetching(account, messages, octets);
      }

      @Override
      public void fetched(String account, int number, long octets) {
        heartbeat.beat();
        inner.fetched(account, number, octets);
      }

      @Override
      public void decided(String account, Decision decision) {
        heartbeat.beat();
        inner.decided(account, decision);
      }

      @Override
      public void finished(PollResult result) {
        Instant now = clock.instant();
        last.put(result.account(), new Last(result, now));
        lastPoll = now;
        heartbeat.beat();
        inner.finished(result);
        notify.status(summary());
        if (allPolled(result.account())) {
          settled.run();
        }
      }
    };
  }
}
