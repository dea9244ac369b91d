package org.popfetch.fetch;

import java.time.Instant;

/**
 * A message popfetch has seen on the server.
 *
 * @param uid the server's unique-id, byte for byte (ISO-8859-1 chars)
 * @param state what was done with it
 * @param firstSeen when it was first seen, for delete-after
 * @param size its size in the server's listing, in octets; {@link #UNKNOWN_SIZE} for an entry taken
 *     over from another client, which keeps no sizes
 * @param attempts failed delivery attempts so far (state FAILED)
 * @param lastError why the last attempt failed, or ""
 */
public record SeenUid(
    String uid, UidState state, Instant firstSeen, long size, int attempts, String lastError) {
  /** The size of an entry whose size nobody knows: never compared, so never taken as reused. */
  public static final long UNKNOWN_SIZE = 0;

  public SeenUid(String uid, UidState state, Instant firstSeen, long size) {
    this(uid, state, firstSeen, size, 0, "");
  }

  public SeenUid withState(UidState newState) {
    return new SeenUid(uid, newState, firstSeen, size);
  }

  /** This entry after one more failed attempt. */
  public SeenUid failedAgain(String reason) {
    return new SeenUid(uid, UidState.FAILED, firstSeen, size, attempts + 1, reason);
  }
}
