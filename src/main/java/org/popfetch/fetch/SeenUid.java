package org.popfetch.fetch;

import java.time.Instant;

/**
 * A message popfetch has seen on the server.
 *
 * @param uid the server's unique-id, byte for byte (ISO-8859-1 chars)
 * @param state what was done with it
 * @param firstSeen when it was first seen, for delete-after
 * @param size its size in the server's listing, in octets
 */
public record SeenUid(String uid, UidState state, Instant firstSeen, long size) {
  public SeenUid withState(UidState newState) {
    return new SeenUid(uid, newState, firstSeen, size);
  }
}
