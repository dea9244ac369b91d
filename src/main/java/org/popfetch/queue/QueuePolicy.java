package org.popfetch.queue;

import java.time.Duration;

/**
 * How the queue retries and whom it tells.
 *
 * @param minBackoff the first retry after this long (Postfix: 300 s)
 * @param maxBackoff retries never further apart (Postfix: 4000 s)
 * @param lifetime give up and bounce after this long (RFC 5321 section 4.5.4.1: 4-5 days)
 * @param bounceToSender send bounces to the envelope sender
 * @param postmaster a copy of every bounce (and bounces of bounces) go here; "" for none
 * @param reportingMta this host's name, in the bounce
 * @param delayWarning tell the sender once that a message is still waiting after this long
 *     (Postfix's delay_warning_time); zero: never
 */
public record QueuePolicy(
    Duration minBackoff,
    Duration maxBackoff,
    Duration lifetime,
    boolean bounceToSender,
    String postmaster,
    String reportingMta,
    Duration delayWarning) {

  public static QueuePolicy defaults(String hostName) {
    return new QueuePolicy(
        Duration.ofSeconds(300),
        Duration.ofSeconds(4000),
        Duration.ofDays(5),
        true,
        "postmaster",
        hostName,
        Duration.ZERO);
  }

  /** The wait before attempt n+1: doubling from the minimum, capped at the maximum. */
  Duration backoff(int attempts) {
    Duration d = minBackoff;
    for (int i = 1; i < attempts && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
