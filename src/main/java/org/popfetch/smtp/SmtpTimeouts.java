package org.popfetch.smtp;

import java.time.Duration;
import org.popfetch.net.Timeouts;

/**
 * How long the SMTP/LMTP client waits in each phase of a session.
 *
 * <p>RFC 5321 section 4.5.3.2 asks a client to wait at least 5 minutes for the greeting and for the
 * replies to MAIL and RCPT, 2 minutes for the reply to DATA, 3 minutes for each block of data sent,
 * and 10 minutes for the reply to the final ".": the server may be filtering or delivering the
 * message meanwhile, and a client that gives up early sends it again.
 *
 * @param connect for the TCP connection (the RFC names no time for it)
 * @param reply for the greeting and the reply to each command, and for each block of data to be
 *     taken: the longest of the RFC's times for these, so that one read timeout covers them
 * @param dataDone for the reply to the final "." of a message
 */
public record SmtpTimeouts(Duration connect, Duration reply, Duration dataDone) {
  /** 30 seconds to connect, then the times of RFC 5321 section 4.5.3.2. */
  public static final SmtpTimeouts RFC_5321 =
      new SmtpTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10));

  /**
   * @throws IllegalArgumentException if a time is not positive
   */
  public SmtpTimeouts {
    for (Duration d : new Duration[] {connect, reply, dataDone}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("SMTP timeouts must be positive");
      }
    }
  }

  /** The connect and read timeouts of the connection, with the default minimum rate. */
  public Timeouts connection() {
    return new Timeouts(connect, reply);
  }
}
