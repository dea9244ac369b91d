package org.popfetch.fetch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Turns a stop flag that is only ever asked into an action taken while a thread is blocked: a
 * poll reading a message from a stalled or trickling server asks nothing until its read returns,
 * which can be a whole read timeout away. One daemon thread looks at every watched flag a few
 * times a second; the action runs once, in that thread.
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
   * Runs {@code onStop} once, soon after {@code stop} turns true, unless the returned handle is
   * closed first. Once {@code close()} has returned, {@code onStop} is not running and never
   * will. {@code onStop} must be quick and safe to call from another thread.
   */
  static Watch watch(BooleanSupplier stop, Runnable onStop) {
    Object lock = new Object();
    boolean[] active = {true};
    ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
    Runnable check =
        () -> {
          synchronized (lock) {
            if (active[0] && stop.getAsBoolean()) {
              active[0] = false;
              onStop.run();
              self[0].cancel(false);
            }
          }
        };
    synchronized (lock) {
      self[0] = TICKER.scheduleWithFixedDelay(check, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }
    return () -> {
      synchronized (lock) {
        active[0] = false;
        self[0].cancel(false);
      }
    };
  }
}
