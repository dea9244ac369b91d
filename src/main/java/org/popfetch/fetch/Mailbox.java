package org.popfetch.fetch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3ErrorException;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3Reply;
import org.popfetch.pop3.ScanListing;
import org.popfetch.pop3.UidListing;

/**
 * What the server lists: every message's number and size (LIST) and, where the server has
 * UIDL, its unique-id.
 *
 * @param uidlRefused the server's answer to UIDL, if it has none
 */
record Mailbox(List<ScanListing> listing, Map<Integer, String> uids, Optional<Pop3Reply> uidlRefused) {
  static Mailbox read(Pop3Client client) throws Pop3Exception {
    List<ScanListing> listing = client.list();
    Map<Integer, String> uids = new HashMap<>();
    try {
      for (UidListing u : client.uidl()) {
        uids.put(u.number(), u.uid());
      }
      return new Mailbox(listing, uids, Optional.empty());
    } catch (Pop3ErrorException e) {
      return new Mailbox(listing, Map.of(), Optional.of(e.reply()));
    }
  }

  boolean haveUidl() {
    return uidlRefused.isEmpty();
  }

  /** The messages to fetch, delete or leave, given what the store remembers. */
  Selection select(String account, Map<String, SeenUid> seen, FetchPolicy policy, java.time.Instant now) {
    return Selection.select(account, listing, uids, haveUidl(), seen, policy, now);
  }

  long octets() {
    return listing.stream().mapToLong(ScanListing::size).sum();
  }
}
