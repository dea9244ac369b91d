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
    for (Entry e : entries(account, listing, uids, haveUidl)) {
      SeenUid s = e.tracked() ? seen.get(e.uid()) : null;
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
      if (policy.maxSize().isPresent() && e.size() > policy.maxSize().getAsLong()) {
        oversize++;
        if (s == null) {
          LOG.info("{}: message {} ({} octets) is larger than max-size; left on the server",
              account, e.number(), e.size());
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
