package org.popfetch.schedule;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a troubled account from hammering its server: after a refused login or a busy mailbox the
 * next polls are skipped for a while, the wait doubling with each failure (from the account's
 * interval up to {@link #MAX}), and the change of state is logged once, not at every poll. The
 * first success clears it.
 */
public final class Backoff {
  private static final Logger LOG = LoggerFactory.getLogger(Backoff.class);
  static final Duration MAX = Duration.ofHours(1);

  private final String account;
  private final Duration interval;
  private int failures;
  private Instant notBefore = Instant.MIN;
  private String reason = "";
  private Duration warnedDelay = Duration.ZERO;

  public Backoff(String account, Duration interval) {
    this.account = account;
    this.interval = interval;
  }

  /** Whether a poll may run now. */
  public synchronized boolean due(Instant now) {
    return !now.isBefore(notBefore);
  }

  /** A poll failed in a way that says: not so soon (bad credentials, busy mailbox). */
  public synchronized void failed(String why, Instant now) {
    failures++;
    Duration wait = interval;
    for (int i = 1; i < failures && wait.compareTo(MAX) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    if (wait.compareTo(MAX) > 0) {
      wait = MAX;
    }
    notBefore = now.plus(wait);
    if (!why.equals(reason)) {
      LOG.warn("{}: backing off ({}); next poll not before {}", account, why, notBefore);
      reason = why;
    }
  }

  public synchronized void succeeded() {
    if (failures > 0) {
      LOG.info("{}: polling normally again after {} failed poll(s)", account, failures);
    }
    failures = 0;
    notBefore = Instant.MIN;
    reason = "";
  }

  /**
   * The server asked for at least {@code between} from one login to the next (RFC 2449
   * LOGIN-DELAY): no poll before {@code now} plus that, whatever the interval or the backoff says.
   * Said once if the interval is shorter; called after each poll, after {@link #succeeded} or
   * {@link #failed}.
   */
  public synchronized void loginDelay(Duration between, Instant now) {
    Instant next = now.plus(between);
    if (next.isAfter(notBefore)) {
      notBefore = next;
    }
    if (between.compareTo(interval) > 0 && !between.equals(warnedDelay)) {
      LOG.warn(
          "{}: the server asks for at least {}s between logins (LOGIN-DELAY), more than the"
              + " interval of {}s; polls sooner than that are skipped",
          account,
          between.toSeconds(),
          interval.toSeconds());
    }
    warnedDelay = between;
  }

  public synchronized int failures() {
    return failures;
  }
}
