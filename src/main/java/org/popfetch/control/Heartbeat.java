package org.popfetch.control;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When the service last showed that it gets work done: a scheduled job ran, a poll started, fetched
 * a message or ended. The {@link Watchdog} pings systemd only while this is recent.
 */
public final class Heartbeat {
  private final AtomicLong last = new AtomicLong(System.nanoTime());

  /** Records progress now. */
  public void beat() {
    last.set(System.nanoTime());
  }

  /** How long ago progress was last recorded. */
  public Duration since() {
    return Duration.ofNanos(System.nanoTime() - last.get());
  }
}
