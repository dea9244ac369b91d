package org.popfetch.fetch;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.pop3.Listings;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3Reply;
import org.popfetch.pop3.ScanTable;
import org.popfetch.pop3.UidTable;

/**
 * What the server lists: every message's number and size (LIST) and, where the server has UIDL, its
 * unique-id; both held compactly, within {@link Pop3Client#MAX_LISTING_ENTRIES}. A listing made
 * from a {@link ListingMark} holds only the messages after the mark: {@code before} says how many
 * come before them, all known to be delivered and kept.
 *
 * @param uidlRefused the server's answer to UIDL, if it has none
 * @param before how many messages at the start of the maildrop the listing leaves out (0 for the
 *     whole listing)
 * @param messages how many messages are on the server
 */
record Mailbox(
    ScanTable listing, UidTable uids, Optional<Pop3Reply> uidlRefused, int before, int messages) {
  /** The whole listing. */
  Mailbox(ScanTable listing, UidTable uids, Optional<Pop3Reply> uidlRefused) {
    this(listing, uids, uidlRefused, 0, listing.size());
  }

  static Mailbox read(Pop3Client client) throws Pop3Exception {
    Listings listings = client.listings();
    return new Mailbox(listings.scan(), listings.uids(), listings.uidlRefused());
  }

  boolean haveUidl() {
    return uidlRefused.isEmpty();
  }

  /** Whether this is every message on the server, not only those after a mark. */
  boolean whole() {
    return before == 0;
  }

  /** Whether the server lists a message with this unique-id (in this listing). */
  boolean lists(String uid) {
    return uids.lists(uid);
  }

  /**
   * The ids the store remembers that the server no longer lists. From the store's compact map the
   * ids are compared as octets, without a String for each one kept.
   */
  List<String> unlisted(Map<String, SeenUid> seen) {
    if (seen instanceof SeenUids compact) {
      return compact.absentFrom(uids);
    }
    return seen.keySet().stream().filter(uid -> !uids.lists(uid)).toList();
  }

  /** The messages to fetch, delete or leave, given what the store remembers. */
  Selection select(String account, Map<String, SeenUid> seen, FetchPolicy policy, Instant now) {
    return select(account, seen, policy, now, false);
  }

  /** As above; with {@code explain}, each message's {@link Decision} as well. */
  Selection select(
      String account, Map<String, SeenUid> seen, FetchPolicy policy, Instant now, boolean explain) {
    return Selection.select(
        account, listing, uids, haveUidl(), seen, policy, now, explain, whole());
  }

  long octets() {
    return listing.totalOctets();
  }
}
