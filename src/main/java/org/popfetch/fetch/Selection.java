package org.popfetch.fetch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.popfetch.net.LogText;
import org.popfetch.pop3.ScanListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, from the server's listing and what the store remembers, which messages to fetch,
 * which to delete without fetching (delivered before), and which to leave.
 *
 * <p>A message's unique-id is used to remember it only when it is unique in the listing and of
 * sane length; other messages still work in delete mode and are left alone in keep mode.
 *
 * @param fetch new messages to deliver, in server order, fetch-limit applied
 * @param delete messages delivered in an earlier poll that are now to be deleted
 * @param newlyOversize oversize messages seen for the first time (to record, so they are
 *     reported once)
 * @param oversize how many messages are left for being over max-size
 */
record Selection(List<Entry> fetch, List<Entry> delete, List<SeenUid> newlyOversize, int oversize) {
  private static final Logger LOG = LoggerFactory.getLogger(Selection.class);

  /** Longer UIDs are not tracked (such messages still work in delete mode). */
  static final int MAX_TRACKED_UID = 1000;

  /** A message in this session's listing. */
  record Entry(int number, long size, String uid, boolean tracked) {}

  static Selection select(
      String account,
      List<ScanListing> listing,
      Map<Integer, String> uids,
      boolean haveUidl,
      Map<String, SeenUid> seen,
      FetchPolicy policy,
      Instant now) {
    List<Entry> delete = new ArrayList<>();
    List<Entry> fetch = new ArrayList<>();
    List<SeenUid> newlyOversize = new ArrayList<>();
    int oversize = 0;
    List<Entry> entries = entries(account, listing, uids, haveUidl);
    warnIfUidsChangedWholesale(account, entries, seen);
    for (Entry e : entries) {
      SeenUid recorded = e.tracked() ? seen.get(e.uid()) : null;
      if (recorded != null && recorded.state() == UidState.FAILED) {
        // Not delivered yet: fetched again, as a new message would be, keeping its history.
        fetch.add(e);
        continue;
      }
      if (recorded != null && recorded.state() != UidState.OVERSIZE && reused(recorded, e)) {
        LOG.warn("{}: unique-id {} now names a message of {} octets, not {}: the server reused it;"
                + " fetching it as a new message", account, LogText.sanitize(e.uid()), e.size(), recorded.size());
        recorded = null;
      }
      SeenUid s = recorded;
      if (s != null && s.state() != UidState.OVERSIZE) {
        boolean expired = policy.deleteAfter().map(d -> !s.firstSeen().plus(d).isAfter(now)).orElse(false);
        if (!policy.keep() || expired) {
          delete.add(e); // delivered before: delete it, never deliver it again
        }
        continue;
      }
      if (!e.tracked() && policy.keep()) {
        LOG.warn("{}: message {} has a unique-id popfetch cannot track ({}); left on the server",
            account, e.number(), LogText.sanitize(e.uid()));
        continue;
      }
      // A message once found longer on the wire than its LIST size keeps the size it came as.
      long size = s != null && s.state() == UidState.OVERSIZE ? Math.max(e.size(), s.size()) : e.size();
      if (size > policy.messageCap()) {
        oversize++;
        if (s == null) {
          LOG.info("{}: message {} ({} octets) is larger than max-size ({}); left on the server",
              account, e.number(), e.size(), policy.messageCap());
          if (e.tracked()) {
            newlyOversize.add(new SeenUid(e.uid(), UidState.OVERSIZE, now, e.size()));
          }
        }
        continue;
      }
      fetch.add(e);
    }
    if (policy.fetchLimit().isPresent() && fetch.size() > policy.fetchLimit().getAsInt()) {
      fetch = List.copyOf(fetch.subList(0, policy.fetchLimit().getAsInt()));
    }
    return new Selection(fetch, delete, newlyOversize, oversize);
  }

  /**
   * RFC 1939 says a server never reuses a unique-id, but some do (cyrus after a rebuild). A
   * size far from the recorded one means another message; small differences are the usual
   * noise of size reporting (line ends counted differently) and are ignored.
   */
  static boolean reused(SeenUid seen, Entry now) {
    long diff = Math.abs(seen.size() - now.size());
    return diff > 1024 && diff * 10 > Math.max(seen.size(), now.size());
  }

  /**
   * A migration or a changed UIDL format makes every kept message look new. That means a mass
   * of duplicates, so it is said loudly rather than done silently.
   */
  private static void warnIfUidsChangedWholesale(String account, List<Entry> entries, Map<String, SeenUid> seen) {
    if (seen.size() < 20 || entries.isEmpty()) {
      return;
    }
    long unknown = entries.stream().filter(e -> !seen.containsKey(e.uid())).count();
    long known = entries.size() - unknown;
    if (known * 2 < seen.size() && unknown * 2 > entries.size()) {
      LOG.warn("{}: {} of {} unique-ids on the server are unknown and {} of {} remembered ones are gone:"
              + " the server's unique-ids seem to have changed; their messages will be fetched again",
          account, unknown, entries.size(), seen.size() - known, seen.size());
    }
  }

  private static List<Entry> entries(String account, List<ScanListing> listing, Map<Integer, String> uids, boolean haveUidl) {
    Map<String, Integer> uidCount = new HashMap<>();
    uids.values().forEach(u -> uidCount.merge(u, 1, Integer::sum));
    List<Entry> out = new ArrayList<>(listing.size());
    for (ScanListing l : listing) {
      String uid = uids.getOrDefault(l.number(), "");
      int count = uidCount.getOrDefault(uid, 0);
      boolean tracked = haveUidl && !uid.isEmpty() && uid.length() <= MAX_TRACKED_UID && count == 1;
      if (haveUidl && count > 1) {
        LOG.warn("{}: unique-id {} names {} messages; they are not tracked by it", account, LogText.sanitize(uid), count);
      }
      out.add(new Entry(l.number(), l.size(), uid, tracked));
    }
    return out;
  }

  long fetchOctets() {
    return fetch.stream().mapToLong(Entry::size).sum();
  }
}
