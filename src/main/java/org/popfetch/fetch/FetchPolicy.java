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
 * @param maxSize leave larger messages on the server (reported once); also the most octets any one
 *     message may arrive as, whatever LIST said
 * @param fetchLimit at most this many messages per poll
 * @param batchMessages at most this many messages per group commit
 * @param batchOctets at most about this many octets per group commit
 * @param oversize what becomes of a message larger than max-size (leave, delete, notice)
 * @param fullListingEvery in keep mode, read the whole listing at least every this many polls, and
 *     only the messages after the last poll's {@link ListingMark} in between; 1 reads it at every
 *     poll
 */
public record FetchPolicy(
    boolean keep,
    Optional<Duration> deleteAfter,
    OptionalLong maxSize,
    OptionalInt fetchLimit,
    int batchMessages,
    long batchOctets,
    OversizeAction oversize,
    int fullListingEvery) {
  public static final int DEFAULT_BATCH_MESSAGES = 200;

  /**
   * fetchmail's default for its own such shortcut ({@code fastuidl 4}): three polls in four list
   * only what is new, and the fourth still prunes the ids of messages others deleted and catches a
   * server that broke the order the shortcut relies on, at most three polls late.
   */
  public static final int DEFAULT_FULL_LISTING_EVERY = 4;

  public static final long DEFAULT_BATCH_OCTETS = 32L * 1024 * 1024;

  /**
   * Without max-size, no message may arrive as more than this: a server that announces a small
   * message and sends an endless one must not fill the disk. Larger than any mail a real server
   * accepts (providers stop near 150 MB); max-size raises it for the rare account that needs it.
   */
  public static final long DEFAULT_MESSAGE_CAP = 1L << 30;

  public FetchPolicy {
    if (fullListingEvery < 1) {
      throw new IllegalArgumentException("full-listing-every must be at least 1");
    }
  }

  /** With the default for how often the whole listing is read. */
  public FetchPolicy(
      boolean keep,
      Optional<Duration> deleteAfter,
      OptionalLong maxSize,
      OptionalInt fetchLimit,
      int batchMessages,
      long batchOctets,
      OversizeAction oversize) {
    this(
        keep,
        deleteAfter,
        maxSize,
        fetchLimit,
        batchMessages,
        batchOctets,
        oversize,
        DEFAULT_FULL_LISTING_EVERY);
  }

  /** Larger messages are left on the server, as before oversize actions existed. */
  public FetchPolicy(
      boolean keep,
      Optional<Duration> deleteAfter,
      OptionalLong maxSize,
      OptionalInt fetchLimit,
      int batchMessages,
      long batchOctets) {
    this(keep, deleteAfter, maxSize, fetchLimit, batchMessages, batchOctets, OversizeAction.LEAVE);
  }

  /** This policy with another action for messages over max-size. */
  public FetchPolicy withOversize(OversizeAction action) {
    return new FetchPolicy(
        keep,
        deleteAfter,
        maxSize,
        fetchLimit,
        batchMessages,
        batchOctets,
        action,
        fullListingEvery);
  }

  /** This policy reading the whole listing at least every {@code polls} polls. */
  public FetchPolicy withFullListingEvery(int polls) {
    return new FetchPolicy(
        keep, deleteAfter, maxSize, fetchLimit, batchMessages, batchOctets, oversize, polls);
  }

  public static FetchPolicy deleteMode() {
    return new FetchPolicy(
        false,
        Optional.empty(),
        OptionalLong.empty(),
        OptionalInt.empty(),
        DEFAULT_BATCH_MESSAGES,
        DEFAULT_BATCH_OCTETS);
  }

  /** The most octets one message may have, announced or received: max-size, or the default cap. */
  public long messageCap() {
    return maxSize.orElse(DEFAULT_MESSAGE_CAP);
  }

  /** Whether the server must offer UIDL: remembering mail left on the server needs it. */
  public boolean needsUidl() {
    return keep || deleteAfter.isPresent();
  }
}
