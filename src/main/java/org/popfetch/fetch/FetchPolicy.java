package org.popfetch.fetch;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What to fetch and what to leave.
 *
 * @param keep leave delivered mail on the server, and never fetch it twice
 * @param deleteAfter with keep: delete delivered mail this long after it was first seen
 * @param maxSize leave larger messages on the server (reported once)
 * @param fetchLimit at most this many messages per poll
 * @param batchMessages at most this many messages per group commit
 * @param batchOctets at most about this many octets per group commit
 */
public record FetchPolicy(
    boolean keep,
    Optional<Duration> deleteAfter,
    OptionalLong maxSize,
    OptionalInt fetchLimit,
    int batchMessages,
    long batchOctets) {
  public static final int DEFAULT_BATCH_MESSAGES = 200;
  public static final long DEFAULT_BATCH_OCTETS = 32L * 1024 * 1024;

  public static FetchPolicy deleteMode() {
    return new FetchPolicy(false, Optional.empty(), OptionalLong.empty(), OptionalInt.empty(), DEFAULT_BATCH_MESSAGES, DEFAULT_BATCH_OCTETS);
  }

  /** Whether the server must offer UIDL: remembering mail left on the server needs it. */
  public boolean needsUidl() {
    return keep || deleteAfter.isPresent();
  }
}
