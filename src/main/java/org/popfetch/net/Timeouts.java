package org.popfetch.net;

import java.time.Duration;

/**
 * How long to wait for a peer.
 *
 * @param connect for the TCP connection to be established
 * @param read for each read, including the TLS handshake and the greeting: an idle peer ends
 *     the call after this long
 */
public record Timeouts(Duration connect, Duration read) {
  public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60));

  public Timeouts {
    if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  int connectMillis() {
    return (int) Math.min(Integer.MAX_VALUE, connect.toMillis());
  }

  int readMillis() {
    return (int) Math.min(Integer.MAX_VALUE, read.toMillis());
  }
}
