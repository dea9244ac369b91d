package org.popfetch.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The forwarding queue.
 *
 * @param dir its directory
 * @param lifetime bounce what is still undelivered after this long
 * @param minBackoff first retry after this long, doubling from there
 * @param maxBackoff retries never further apart than this
 * @param postmaster where copies of bounces go ("" for nowhere)
 * @param bounceToSender whether bounces go to the envelope sender too
 * @param resolver the DNS server for MX lookups; empty: the system's
 * @param delayWarning tell senders once after this long that their mail still waits; zero: never
 * @param smtpTimeouts how long forwarding waits in each phase of a session; what is not set keeps
 *     the default of RFC 5321 section 4.5.3.2
 */
public record QueueConfig(
    Path dir,
    Duration lifetime,
    Duration minBackoff,
    Duration maxBackoff,
    String postmaster,
    boolean bounceToSender,
    Optional<HostPort> resolver,
    Duration delayWarning,
    SmtpWaits smtpTimeouts) {
  /**
   * The waits set under {@code queue.smtp-timeouts}, each empty where the default applies.
   *
   * @param connect for the TCP connection
   * @param reply for the greeting, each command's reply and each block of data
   * @param dataDone for the reply to a message's final "."
   */
  public record SmtpWaits(
      Optional<Duration> connect, Optional<Duration> reply, Optional<Duration> dataDone) {
    /** No wait set: the defaults throughout. */
    public static final SmtpWaits DEFAULTS =
        new SmtpWaits(Optional.empty(), Optional.empty(), Optional.empty());
  }
}
