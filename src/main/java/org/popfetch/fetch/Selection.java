package org.popfetch.fetch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;
import org.popfetch.pop3.ScanListing;
import org.popfetch.pop3.ScanTable;
import org.popfetch.pop3.UidTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, from the server's listing and what the store remembers, which messages to fetch, which
 * to delete without fetching (delivered before), and which to leave.
 *
 * <p>A message's unique-id is used to remember it only when it is unique in the listing and of sane
 * length; other messages still work in delete mode and are left alone in keep mode.
 *
 * @param fetch new messages to deliver, in server order, fetch-limit applied
 * @param delete messages delivered in an earlier poll that are now to be deleted
 * @param newlyOversize oversize messages seen for the first time (to record, so they are reported
 *     once)
 * @param oversize how many messages are left for being over max-size
 * @param waiting new messages left for a later poll by fetch-limit or {@link #MAX_SELECTED}
 * @param waitingOctets their total size
 * @param oversizeDelete messages over max-size to delete without fetching (oversize: delete)
 * @param oversizeNotice messages over max-size whose owner is to be told (oversize: notice), not
 *     told before
 * @param decisions with {@code explain}, what becomes of every message of the listing, in server
 *     order; otherwise empty
 */
record Selection(
    List<Entry> fetch,
    List<Entry> delete,
    List<SeenUid> newlyOversize,
    int oversize,
    int waiting,
    long waitingOctets,
    List<Entry> oversizeDelete,
    List<Entry> oversizeNotice,
    List<Decision> decisions) {
  private static final Logger LOG = LoggerFactory.getLogger(Selection.class);

  /** Longer UIDs are not tracked (such messages still work in delete mode). */
  static final int MAX_TRACKED_UID = 1000;

  /**
   * Messages one poll fetches, deletes, or records as oversize, at most: a listing is held
   * compactly, but each selected message is an object, and a mailbox of a quarter million new
   * messages must not need them all at once. The rest wait for the next poll.
   */
  static final int MAX_SELECTED = 50_000;

  /**
   * Lines a poll logs about single messages of one kind (oversize, untrackable); the rest are
   * counted.
   */
  static final int MAX_LOGGED = 20;

  /** A message in this session's listing. */
  record Entry(int number, long size, String uid, boolean tracked) {}

  /** The same selection from plain lists, as tests and benchmarks build them. */
  static Selection select(
      String account,
      List<ScanListing> listing,
      Map<Integer, String> uids,
      boolean haveUidl,
      Map<String, SeenUid> seen,
      FetchPolicy policy,
      Instant now) {
    return select(account, listing, uids, haveUidl, seen, policy, now, false);
  }

  /** As above; with {@code explain}, every message's {@link Decision} as well. */
  static Selection select(
      String account,
      List<ScanListing> listing,
      Map<Integer, String> uids,
      boolean haveUidl,
      Map<String, SeenUid> seen,
      FetchPolicy policy,
      Instant now,
      boolean explain) {
    ScanTable.Builder scan = new ScanTable.Builder();
    listing.forEach(l -> scan.add(l.number(), l.size()));
    UidTable.Builder ids = new UidTable.Builder();
    uids.forEach(ids::add);
    return select(account, scan.build(), ids.build(), haveUidl, seen, policy, now, explain, true);
  }

  /**
   * Sorts the listing.
   *
   * @param explain whether to keep every message's {@link Decision} (for {@code popfetch explain};
   *     a poll needs only the lists)
   * @param wholeListing whether the listing is every message on the server, not only those after a
   *     {@link ListingMark}: only then can ids the store remembers and the listing lacks say
   *     anything about the server's ids
   */
  static Selection select(
      String account,
      ScanTable listing,
      UidTable uids,
      boolean haveUidl,
      Map<String, SeenUid> seen,
      FetchPolicy policy,
      Instant now,
      boolean explain,
      boolean wholeListing) {
    Sorting sorting = new Sorting(account, policy, now, explain);
    int[] repeated = {0};
    long known = 0;
    for (int i = 0; i < listing.size(); i++) {
      Entry e = entry(account, listing, i, uids, haveUidl, repeated);
      if (seen.containsKey(e.uid())) {
        known++;
      }
      sorting.sort(e, e.tracked() ? seen.get(e.uid()) : null);
    }
    if (wholeListing) {
      warnIfUidsChangedWholesale(account, listing.size(), known, seen.size());
    }
    if (repeated[0] > MAX_LOGGED) {
      LOG.warn(
          "{}: {} messages in all share a unique-id with another; they are not tracked by it",
          account,
          repeated[0]);
    }
    return sorting.selection();
  }

  /**
   * Sorts one listing's entries, one at a time, into what to fetch, delete or leave, counting what
   * it leaves and logging at most {@link #MAX_LOGGED} lines of each kind.
   */
  private static final class Sorting {
    private final String account;
    private final FetchPolicy policy;
    private final Instant now;
    private final int fetchCap;
    private final List<Entry> fetch = new ArrayList<>();
    private final List<Entry> delete = new ArrayList<>();
    private final List<SeenUid> newlyOversize = new ArrayList<>();
    private final List<Entry> oversizeDelete = new ArrayList<>();
    private final List<Entry> oversizeNotice = new ArrayList<>();
    private final List<Decision> decisions;
    private int oversize;
    private int waiting;
    private long waitingOctets;
    private int deleteWaiting;
    private int untrackable;
    private int newlyOver;

    Sorting(String account, FetchPolicy policy, Instant now, boolean explain) {
      this.decisions = explain ? new ArrayList<>() : null;
      this.account = account;
      this.policy = policy;
      this.now = now;
      this.fetchCap = Math.min(MAX_SELECTED, policy.fetchLimit().orElse(MAX_SELECTED));
    }

    /**
     * @param recorded what the store remembers of the entry's unique-id, if it is tracked
     */
    void sort(Entry e, SeenUid recorded) {
      if (recorded != null && recorded.state() == UidState.FAILED) {
        // Not delivered yet: fetched again, as a new message would be, keeping its history.
        fetchOrWait(e, recorded);
        return;
      }
      if (recorded != null && recorded.state() != UidState.OVERSIZE && reused(recorded, e)) {
        LOG.warn(
            "{}: unique-id {} now names a message of {} octets, not {}: the server reused it;"
                + " fetching it as a new message",
            account,
            LogText.sanitize(e.uid()),
            e.size(),
            recorded.size());
        recorded = null;
      }
      if (recorded != null && recorded.state() != UidState.OVERSIZE) {
        deliveredBefore(e, recorded);
        return;
      }
      if (!e.tracked() && policy.keep()) {
        if (++untrackable <= MAX_LOGGED) {
          LOG.warn(
              "{}: message {} has a unique-id popfetch cannot track ({}); left on the server",
              account,
              e.number(),
              LogText.sanitize(e.uid()));
        }
        decide(e, recorded, Decision.Action.UNTRACKABLE, Optional.empty());
        return;
      }
      // A message once found longer on the wire than its LIST size keeps the size it came as.
      long size = recorded != null ? Math.max(e.size(), recorded.size()) : e.size();
      if (size > policy.messageCap()) {
        tooLarge(e, recorded);
        return;
      }
      fetchOrWait(e, recorded);
    }

    private void decide(
        Entry e, SeenUid recorded, Decision.Action action, Optional<Instant> deleteAt) {
      if (decisions != null) {
        decisions.add(Decision.listed(e, recorded, action, deleteAt));
      }
    }

    /** Delivered in an earlier poll: deleted now (in delete mode, or once delete-after is up). */
    private void deliveredBefore(Entry e, SeenUid recorded) {
      Optional<Instant> deleteAt = policy.deleteAfter().map(d -> recorded.firstSeen().plus(d));
      boolean expired = deleteAt.map(at -> !at.isAfter(now)).orElse(false);
      if (policy.keep() && !expired) {
        decide(e, recorded, Decision.Action.KEEP, deleteAt);
        return;
      }
      decide(e, recorded, Decision.Action.DELETE_DELIVERED, deleteAt);
      // never delivered again
      if (delete.size() < MAX_SELECTED) {
        delete.add(e);
      } else {
        deleteWaiting++;
      }
    }

    private void tooLarge(Entry e, SeenUid recorded) {
      oversize++;
      boolean firstSeen = recorded == null;
      OversizeAction action = policy.oversize();
      if (action == OversizeAction.DELETE) {
        // Deleted at every poll that finds it: a deletion the server did not carry out is
        // tried again.
        decide(e, recorded, Decision.Action.OVERSIZE_DELETE, Optional.empty());
        if (oversizeDelete.size() < MAX_SELECTED) {
          oversizeDelete.add(e);
        }
        return;
      }
      if (action == OversizeAction.NOTICE && firstSeen && e.tracked()) {
        // Recorded only once the notice is durable, so a notice that fails is sent again.
        decide(e, recorded, Decision.Action.OVERSIZE_NOTICE, Optional.empty());
        if (oversizeNotice.size() < MAX_SELECTED) {
          oversizeNotice.add(e);
        }
        return;
      }
      decide(e, recorded, Decision.Action.OVERSIZE_LEAVE, Optional.empty());
      if (!firstSeen) {
        return; // reported when it was first seen
      }
      if (++newlyOver <= MAX_LOGGED) {
        LOG.info(
            "{}: message {} ({} octets) is larger than max-size ({}); left on the server",
            account,
            e.number(),
            e.size(),
            policy.messageCap());
      }
      if (e.tracked() && newlyOversize.size() < MAX_SELECTED) {
        newlyOversize.add(new SeenUid(e.uid(), UidState.OVERSIZE, now, e.size()));
      }
    }

    private void fetchOrWait(Entry e, SeenUid recorded) {
      if (fetch.size() < fetchCap) {
        decide(e, recorded, Decision.Action.FETCH, Optional.empty());
        fetch.add(e);
      } else {
        decide(e, recorded, Decision.Action.WAIT, Optional.empty());
        waiting++;
        waitingOctets += e.size();
      }
    }

    Selection selection() {
      if (untrackable > MAX_LOGGED) {
        LOG.warn(
            "{}: {} messages in all have a unique-id popfetch cannot track; left on the server",
            account,
            untrackable);
      }
      if (newlyOver > MAX_LOGGED) {
        LOG.info(
            "{}: {} messages in all are newly larger than max-size; left on the server",
            account,
            newlyOver);
      }
      if (waiting > 0 || deleteWaiting > 0) {
        LOG.info(
            "{}: {} new and {} delivered message(s) wait for a later poll"
                + " (at most {} fetched and {} deleted a poll)",
            account,
            waiting,
            deleteWaiting,
            fetchCap,
            MAX_SELECTED);
      }
      return new Selection(
          fetch,
          delete,
          newlyOversize,
          oversize,
          waiting,
          waitingOctets,
          oversizeDelete,
          oversizeNotice,
          decisions == null ? List.of() : decisions);
    }
  }

  /**
   * RFC 1939 says a server never reuses a unique-id, but some do (cyrus after a rebuild). A size
   * far from the recorded one means another message; small differences are the usual noise of size
   * reporting (line ends counted differently) and are ignored.
   */
  static boolean reused(SeenUid seen, Entry now) {
    if (seen.size() == SeenUid.UNKNOWN_SIZE) {
      return false; // taken over from another client: nothing to compare
    }
    long diff = Math.abs(seen.size() - now.size());
    return diff > 1024 && diff * 10 > Math.max(seen.size(), now.size());
  }

  /**
   * A migration or a changed UIDL format makes every kept message look new. That means a mass of
   * duplicates, so it is said loudly rather than done silently.
   *
   * @param listed entries on the server
   * @param known how many of them the store remembers
   * @param remembered entries the store remembers
   */
  private static void warnIfUidsChangedWholesale(
      String account, int listed, long known, int remembered) {
    if (remembered < 20 || listed == 0) {
      return;
    }
    long unknown = listed - known;
    if (known * 2 < remembered && unknown * 2 > listed) {
      LOG.warn(
          "{}: {} of {} unique-ids on the server are unknown and {} of {} remembered ones are gone:"
              + " the server's unique-ids seem to have changed; their messages will be fetched"
              + " again",
          account,
          unknown,
          listed,
          remembered - known,
          remembered);
    }
  }

  /**
   * The listing's entry at {@code i}, with its unique-id and whether it can be tracked by it;
   * {@code repeated[0]} counts the entries whose id another entry shares.
   */
  private static Entry entry(
      String account, ScanTable listing, int i, UidTable uids, boolean haveUidl, int[] repeated) {
    int number = listing.number(i);
    int u = haveUidl ? uids.indexOfNumber(number) : -1;
    if (u < 0) {
      return new Entry(number, listing.octets(i), "", false);
    }
    String uid = uids.uid(u);
    int count = uids.occurrences(u);
    if (count > 1 && ++repeated[0] <= MAX_LOGGED) {
      LOG.warn(
          "{}: unique-id {} names {} messages; they are not tracked by it",
          account,
          LogText.sanitize(uid),
          count);
    }
    boolean tracked = !uid.isEmpty() && uid.length() <= MAX_TRACKED_UID && count == 1;
    return new Entry(number, listing.octets(i), uid, tracked);
  }

  long fetchOctets() {
    return fetch.stream().mapToLong(Entry::size).sum();
  }
}
