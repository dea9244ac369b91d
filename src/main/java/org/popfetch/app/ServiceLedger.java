package org.popfetch.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
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
   * How long after a start or reload the accounts that have not polled yet stop holding back {@code
   * settled}: the first poll that ends later runs it.
   */
  static final Duration SETTLE_WITHIN = Duration.ofMinutes(5);

  /**
   * The accounts not yet polled since {@link #firstPolls}; null before it and once {@code settled}
   * ran.
   */
  private Set<String> unpolled;

  /** When the accounts in {@link #unpolled} stop holding back {@code settled}. */
  private Instant settleBy;

  /** The accounts whose poll has started and not yet ended, and how many such polls each has. */
  private final Map<String, Integer> polling = new HashMap<>();

  /**
   * {@code settled} runs once after a start or a reload, on the thread of the poll that ends when
   * every account has polled, or of the first poll to end {@link #SETTLE_WITHIN} after it while no
   * account's first poll since is still running.
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
   * another node leases) holds it back for {@link #SETTLE_WITHIN} at most: then the next poll to
   * end runs it, whichever account it was, unless some account's first poll is still running (a
   * large mailbox, a slow server): that poll's heap is to be given back too, so its end runs it.
   */
  synchronized void firstPolls() {
    unpolled = new HashSet<>(accounts);
    settleBy = clock.instant().plus(SETTLE_WITHIN);
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

  private synchronized void pollStarted(String account) {
    polling.merge(account, 1, Integer::sum);
  }

  /**
   * Whether the poll of {@code account} that ended {@code at} settles the start or reload: it was
   * the last one not yet made since, or the wait for those is over and none of them is running.
   */
  private synchronized boolean settles(String account, Instant at) {
    polling.computeIfPresent(account, (a, n) -> n == 1 ? null : n - 1);
    if (unpolled == null) {
      return false;
    }
    unpolled.remove(account);
    if (!unpolled.isEmpty() && (at.isBefore(settleBy) || firstPollRunning())) {
      return false;
    }
    unpolled = null;
    return true;
  }

  private boolean firstPollRunning() {
    for (String account : unpolled) {
      if (polling.containsKey(account)) {
        return true;
      }
    }
    return false;
  }

  /** Passes everything on to {@code inner}, noting progress and each poll's end. */
  FetchObserver observer(FetchObserver inner) {
    return new FetchObserver() {
      @Override
      public void started(String account) {
        pollStarted(account);
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
        if (settles(result.account(), now)) {
          settled.run();
        }
      }
    };
  }
}
