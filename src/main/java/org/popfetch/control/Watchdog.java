package org.popfetch.control;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The systemd watchdog (WatchdogSec=): pings WATCHDOG=1 twice per period, but only while the {@link
 * Heartbeat} shows progress within the period. A service whose scheduler is stuck (a deadlock, a
 * thread pool that never frees, a stopped process) stops pinging, and systemd kills and restarts
 * it. Nothing is at risk in that: no message is deleted before it is delivered.
 */
public final class Watchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

  private final ScheduledExecutorService timer;

  private Watchdog(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /**
   * The watchdog period systemd asks for: {@code $WATCHDOG_USEC}, if set and, when {@code
   * $WATCHDOG_PID} is set, meant for process {@code pid}.
   */
  public static Optional<Duration> period(Map<String, String> env, long pid) {
    String usec = env.get("WATCHDOG_USEC");
    String forPid = env.get("WATCHDOG_PID");
    if (usec == null || (forPid != null && !forPid.equals(Long.toString(pid)))) {
      return Optional.empty();
    }
    try {
      long u = Long.parseLong(usec);
      return u > 0 ? Optional.of(Duration.ofNanos(u * 1000)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Whether to ping: progress was seen less than one period ago. */
  static boolean alive(Duration sinceProgress, Duration period) {
    return sinceProgress.compareTo(period) < 0;
  }

  /**
   * Calls {@code ping} (WATCHDOG=1) every half {@code period} while {@code heartbeat} is younger
   * than {@code period}.
   */
  public static Watchdog start(Runnable ping, Duration period, Heartbeat heartbeat) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "popfetch-watchdog");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, period.toMillis() / 2);
    boolean[] silent = {false};
    timer.scheduleAtFixedRate(
        () -> {
          Duration since = heartbeat.since();
          if (alive(since, period)) {
            ping.run();
            silent[0] = false;
          } else if (!silent[0]) {
            silent[0] = true;
            LOG.error(
                "no progress for {} s: not telling systemd's watchdog, which will restart the"
                    + " service",
                since.toSeconds());
          }
        },
        0,
        every,
        TimeUnit.MILLISECONDS);
    LOG.info("systemd watchdog: every {} s", period.toSeconds());
    return new Watchdog(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
