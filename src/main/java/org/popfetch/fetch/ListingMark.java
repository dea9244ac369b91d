package org.popfetch.fetch;

/**
 * Where the last successful poll of a mailbox left off: every message from 1 to {@code position}
 * that stayed on the server was delivered and kept (state {@link UidState#KEPT}), and message
 * {@code position} had the unique-id {@code uid}. POP3 servers keep a maildrop's order (removed
 * messages vanish, new ones are appended), so a later session in which message {@code position}
 * still has that unique-id has lost none of those messages and can hold new ones only after it: the
 * poll lists only those (see {@link ListingShortcut}).
 *
 * @param position the message number, after the poll's deletions, of the last message of the run of
 *     kept messages at the start of the maildrop; at least 1
 * @param uid its unique-id, as the server sent it (each octet one char)
 * @param shortcuts how many polls in a row have listed only the messages after the mark; a full
 *     listing starts again from 0
 */
public record ListingMark(int position, String uid, int shortcuts) {
  public ListingMark {
    if (position < 1) {
      throw new IllegalArgumentException("a listing mark's position starts at 1: " + position);
    }
    if (uid.isEmpty() || uid.length() > Selection.MAX_TRACKED_UID) {
      throw new IllegalArgumentException("a listing mark needs a trackable unique-id");
    }
    if (shortcuts < 0) {
      throw new IllegalArgumentException("negative shortcut count: " + shortcuts);
    }
  }

  /**
   * Whether {@code other} marks the same message at the same place (whatever the count of polls
   * after it): a poll that ends on the same place found nothing new.
   */
  public boolean samePlaceAs(ListingMark other) {
    return position == other.position && uid.equals(other.uid);
  }

  // equals and hashCode written out, as the record would make them: the record's own are linked
  // through invokedynamic at their first call, which spins method-handle classes at every start
  // of a one-shot poll (docs/benchmarks.md, "One-shot poll: where the start-up goes").
  @Override
  public boolean equals(Object o) {
    return o instanceof ListingMark m
        && position == m.position
        && shortcuts == m.shortcuts
        && uid.equals(m.uid);
  }

  @Override
  public int hashCode() {
    return (31 * position + uid.hashCode()) * 31 + shortcuts;
  }
}
