package org.popfetch.net;

import java.time.Duration;

/**
 * How long to wait for a peer.
 *
 * @param connect for the TCP connection to be established
 * @param read for each read, including the TLS handshake and the greeting: an idle peer ends the
 *     call after this long
 * @param minimumRate octets per second a peer must keep up while the client waits on it, measured
 *     over each span of {@code read} spent waiting: a server that trickles one byte just inside the
 *     read timeout would otherwise hold a session forever
 */
public record Timeouts(Duration connect, Duration read, long minimumRate) {
  /** 1 KiB/s: far below any working link, far above a slowloris trickle. */
  public static final long DEFAULT_MINIMUM_RATE = 1024;

  public static final Timeouts DEFAULT =
      new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), DEFAULT_MINIMUM_RATE);

  public Timeouts {
    if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (minimumRate < 0) {
      throw new IllegalArgumentException("minimum rate must not be negative");
    }
  }

  public Timeouts(Duration connect, Duration read) {
    this(connect, read, DEFAULT_MINIMUM_RATE);
  }

  /**
   * How long, in all, a client may wait for one message of {@code octets} octets: twice the read
   * timeout, plus the time the octets take at the minimum rate. A body that trickles just above the
   * rate for ever is cut by this, and an honest slow link is not (it is faster than the minimum
   * rate, or the rate guard would have cut it first). Unbounded when the rate is 0 (the admin
   * turned the guard off).
   */
  public long messageWaitNanos(long octets) {
    if (minimumRate == 0) {
      return Long.MAX_VALUE;
    }
    long base = read.toNanos() > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 2 : 2 * read.toNanos();
    long seconds = Math.max(0, octets) / minimumRate;
    if (seconds >= (Long.MAX_VALUE - base) / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    return base + seconds * 1_000_000_000L;
  }

  int connectMillis() {
    return (int) Math.min(Integer.MAX_VALUE, connect.toMillis());
  }

  int readMillis() {
    return (int) Math.min(Integer.MAX_VALUE, read.toMillis());
  }
}
