package org.popfetch.fetch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Turns a stop flag that is only ever asked into an action taken while a thread is blocked: a poll
 * reading a message from a stalled or trickling server asks nothing until its read returns, which
 * can be a whole read timeout away. One daemon thread looks at every watched flag ten times a
 * second; the action runs once, in that thread, when the flag has stayed up for a grace period (so
 * that what a healthy server is about to finish is not thrown away).
 */
final class StopWatch {
  static final long PERIOD_MILLIS = 100;

  private static final ScheduledExecutorService TICKER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "popfetch-stop-watch");
            t.setDaemon(true);
            return t;
          });

  private StopWatch() {}

  /** A running watch; closing it ends it. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Runs {@code onStop} once {@code stop} has said true for {@code grace}, unless the returned
   * handle is closed first. Once {@code close()} has returned, {@code onStop} is not running and
   * never will. {@code onStop} must be quick and safe to call from another thread.
   */
  static Watch watch(BooleanSupplier stop, Duration grace, Runnable onStop) {
    Object lock = new Object();
    boolean[] active = {true};
    long[] stopSeen = {0};
    ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
    Runnable check =
        () -> {
          synchronized (lock) {
            if (!active[0] || !stop.getAsBoolean()) {
              return;
            }
            long now = System.nanoTime();
            if (stopSeen[0] == 0) {
              stopSeen[0] = now;
            }
            if (now - stopSeen[0] >= grace.toNanos()) {
              active[0] = false;
              onStop.run();
              self[0].cancel(false);
            }
          }
        };
    synchronized (lock) {
      self[0] = TICKER.scheduleWithFixedDelay(check, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }
    return () -> {
      synchronized (lock) {
        active[0] = false;
        self[0].cancel(false);
      }
    };
  }
}
