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
 */
public record QueueConfig(
    Path dir,
    Duration lifetime,
    Duration minBackoff,
    Duration maxBackoff,
    String postmaster,
    boolean bounceToSender,
    Optional<HostPort> resolver,
    Duration delayWarning) {}
