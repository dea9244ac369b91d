package org.popfetch.fetch;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.popfetch.pop3.Capabilities;

/**
 * RFC 2449's LOGIN-DELAY: the least time a server wants between two logins to a mailbox. Read from
 * the capabilities after login (section 6.8: the value may be per user). The server's number is not
 * trusted as it comes: a negative one is ignored, and none is taken as more than {@link #MAX}.
 */
public final class LoginDelay {
  /** The most a server is believed to ask for. */
  public static final Duration MAX = Duration.ofDays(1);

  private LoginDelay() {}

  /** The delay the capabilities announce, bounded; empty if none (or none that makes sense). */
  public static Optional<Duration> of(Capabilities capabilities) {
    OptionalLong seconds = capabilities.loginDelaySeconds();
    if (seconds.isEmpty() || seconds.getAsLong() <= 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Math.min(seconds.getAsLong(), MAX.toSeconds())));
  }
}
