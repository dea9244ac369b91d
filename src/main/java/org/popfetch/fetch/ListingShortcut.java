package org.popfetch.fetch;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.popfetch.pop3.Listings;
import org.popfetch.pop3.MailboxStatus;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3ErrorException;
import org.popfetch.pop3.ScanTable;
import org.popfetch.pop3.UidTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the server's listing for a poll: the whole of it, or, where the last poll left a {@link
 * ListingMark} and it still holds, only the messages after the mark. A mailbox of 20,000 kept
 * messages and 10 new ones then costs STAT, then UIDL m..n and LIST m+1..n (pipelined together)
 * instead of two listings of 20,000 lines, and the selection looks at 10 messages, not 20,000.
 *
 * <p>Why it is sound: POP3 numbers a maildrop's messages in an order that does not change between
 * sessions (RFC 1939; removed messages vanish, new ones are appended; Dovecot orders by IMAP UID).
 * If message m still has the unique-id it had when the mark was left, no message before it was
 * removed (a removal would have moved another message to m) and none was put before it, so messages
 * 1..m are the kept ones the mark speaks for, and anything new is after m. Every doubt takes the
 * whole listing: no mark (a state of an older version, a poll that failed since), delete mode, a
 * delete-after that is due for a remembered message, the periodic full listing, fewer messages than
 * m, another unique-id at m or -ERR to UIDL n or LIST n, too many new messages to ask for one by
 * one. The whole listing is also what prunes the ids of messages gone from the server.
 *
 * <p>A mark is left only by a poll that ended well (QUIT answered +OK), and removed before a poll
 * that reads the whole listing writes anything: such a poll may change what the messages before the
 * mark are, and if it fails, the next poll must not trust the old mark. A poll that lists from the
 * mark acts on no message before it, so if it fails, its mark still holds. A crash between a
 * batch's record and the mark's write therefore leaves either no mark or the old one: the next poll
 * reads the whole listing or lists from the old mark, and sees every message after it again.
 */
final class ListingShortcut {
  private static final Logger LOG = LoggerFactory.getLogger(ListingShortcut.class);

  /**
   * A mailbox that starts with fewer kept messages than this gets no mark and is listed whole: its
   * listing costs less than the mark's own write at the end of each poll.
   */
  static final int MIN_KEPT = 100;

  /**
   * At most this many new messages are asked for one by one (UIDL n and LIST n, pipelined); more
   * are listed whole, which then costs about as much.
   */
  static final int MAX_NEW_PIPELINED = 1000;

  /** As above for a server without PIPELINING, where each is a round trip. */
  static final int MAX_NEW_ONE_BY_ONE = 20;

  /** Why a poll read what it read. */
  enum Path {
    /** Only the messages after the mark. */
    AFTER_MARK,
    NO_MARK,
    DELETE_MODE,
    /** full-listing-every says this poll lists whole. */
    FULL_LISTING_DUE,
    /** A remembered message's delete-after has come: the listing has to find it. */
    DELETE_AFTER_DUE,
    FEW_KEPT,
    /** STAT counts fewer messages than the mark's position: some were removed. */
    FEWER_MESSAGES,
    MANY_NEW,
    /**
     * -ERR to STAT, UIDL n or LIST n: a server without them, or with fewer messages than it said.
     */
    REFUSED,
    /** Another unique-id at the mark's position: messages before it were removed or moved. */
    MARK_MOVED
  }

  /** What was read and why. */
  record Read(Mailbox mailbox, Path path) {}

  /** Where a poll gets the mailbox's remembered entries, read only if needed. */
  @FunctionalInterface
  interface Entries {
    Map<String, SeenUid> get() throws IOException;
  }

  private ListingShortcut() {}

  /**
   * Reads the listing the mark allows: after it, or whole (LIST, then UIDL).
   *
   * @param mark where the last poll left off, if it left a mark
   * @param seen the mailbox's remembered entries (read only when delete-after needs them)
   * @throws IOException if the server fails the session or the entries cannot be read
   */
  static Read read(
      Pop3Client client,
      String account,
      Optional<ListingMark> mark,
      FetchPolicy policy,
      Entries seen,
      Instant now)
      throws IOException {
    Path path = whyWhole(mark, policy, seen, now);
    if (path == Path.AFTER_MARK) {
      Read read = afterMark(client, mark.get());
      if (read.path() == Path.AFTER_MARK) {
        LOG.debug(
            "{}: listing messages {} to {} only (1 to {} are kept)",
            account,
            read.mailbox().before() + 1,
            read.mailbox().messages(),
            read.mailbox().before());
        return read;
      }
      path = read.path();
    }
    LOG.debug("{}: reading the whole listing ({})", account, path);
    return new Read(Mailbox.read(client), path);
  }

  /**
   * Whether {@code mark} may let a poll under {@code policy} list only what follows it, as far as
   * can be told before the session and the entries: if not, the poll reads the whole listing and
   * needs every entry; if so, it needs only those of the messages it lists (unless the server shows
   * the mark no longer holds).
   */
  static boolean mayListAfter(Optional<ListingMark> mark, FetchPolicy policy) {
    return mark.isPresent()
        && policy.keep()
        && policy.deleteAfter().isEmpty()
        && mark.get().shortcuts() + 1 < policy.fullListingEvery()
        && mark.get().position() >= MIN_KEPT;
  }

  /** Why the whole listing is needed before asking the server anything, or AFTER_MARK. */
  private static Path whyWhole(
      Optional<ListingMark> mark, FetchPolicy policy, Entries seen, Instant now)
      throws IOException {
    if (mark.isEmpty()) {
      return Path.NO_MARK;
    }
    if (!policy.keep()) {
      return Path.DELETE_MODE;
    }
    if (mark.get().shortcuts() + 1 >= policy.fullListingEvery()) {
      return Path.FULL_LISTING_DUE;
    }
    if (mark.get().position() < MIN_KEPT) {
      return Path.FEW_KEPT;
    }
    if (policy.deleteAfter().isPresent() && anyDue(seen.get(), policy.deleteAfter().get(), now)) {
      return Path.DELETE_AFTER_DUE;
    }
    return Path.AFTER_MARK;
  }

  private static boolean anyDue(Map<String, SeenUid> seen, Duration deleteAfter, Instant now) {
    for (SeenUid e : seen.values()) {
      if (!e.firstSeen().plus(deleteAfter).isAfter(now)) {
        return true;
      }
    }
    return false;
  }

  /**
   * STAT, then UIDL m..n with LIST m+1..n; any doubt says why the whole listing is needed instead.
   * Where the server pipelines, the sizes are asked for with the unique-ids, before the one at m is
   * checked: the round trip saved is worth more than the few LIST answers read in vain when the
   * mark has moved. Where each command is a round trip, UIDL m goes first and alone, so that a
   * moved mark costs one round trip before the whole listing rather than one per message after it.
   */
  private static Read afterMark(Pop3Client client, ListingMark mark) throws IOException {
    MailboxStatus status;
    try {
      status = client.stat();
    } catch (Pop3ErrorException e) {
      return new Read(null, Path.REFUSED);
    }
    int m = mark.position();
    if (status.messages() < m) {
      return new Read(null, Path.FEWER_MESSAGES);
    }
    long fresh = status.messages() - m;
    boolean pipelining = client.capabilities().pipelining();
    if (fresh > (pipelining ? MAX_NEW_PIPELINED : MAX_NEW_ONE_BY_ONE)) {
      return new Read(null, Path.MANY_NEW);
    }
    int n = (int) status.messages();
    Listings listed;
    int firstNew; // the index in listed.uids() of message m + 1
    try {
      if (pipelining) {
        listed = client.uidlAndList(m, n);
        if (!listed.uids().uid(0).equals(mark.uid())) {
          return new Read(null, Path.MARK_MOVED);
        }
        firstNew = 1;
      } else {
        if (!client.uidl(m).uid().equals(mark.uid())) {
          return new Read(null, Path.MARK_MOVED);
        }
        listed = client.listingsOf(m + 1, n);
        firstNew = 0;
      }
    } catch (Pop3ErrorException e) {
      return new Read(null, Path.REFUSED);
    }
    UidTable ids = listed.uids();
    UidTable.Builder after = new UidTable.Builder();
    for (int i = firstNew; i < ids.size(); i++) {
      after.add(ids.number(i), ids.uid(i));
    }
    ScanTable sizes = listed.scan();
    return new Read(new Mailbox(sizes, after.build(), Optional.empty(), m, n), Path.AFTER_MARK);
  }

  /**
   * The mark a poll that ended well leaves: the run of kept messages at the start of the maildrop,
   * as it is once the session's deletions are done. It starts from the mark the listing was made
   * after, if it was, and goes on through the listing while each message is deleted by this session
   * (it no longer counts) or is kept under a unique-id only it has; it ends at the first message
   * that is neither, or at a gap in the numbers.
   *
   * @param mailbox what the poll listed
   * @param from the mark the listing was made after, for a listing after a mark
   * @param deleted the numbers of the messages this session deleted (its QUIT was answered +OK)
   * @param state what the store holds for a unique-id after the poll's writes, null for nothing
   * @return the mark, or empty if the maildrop does not start with at least {@link #MIN_KEPT} kept
   *     messages
   */
  static Optional<ListingMark> after(
      Mailbox mailbox,
      Optional<ListingMark> from,
      Set<Integer> deleted,
      Function<String, UidState> state) {
    if (!mailbox.haveUidl() || (!mailbox.whole() && from.isEmpty())) {
      return Optional.empty();
    }
    int position = mailbox.before();
    String uid = mailbox.whole() ? null : from.get().uid();
    ScanTable listing = mailbox.listing();
    UidTable uids = mailbox.uids();
    int expected = mailbox.before() + 1;
    for (int i = 0; i < listing.size(); i++, expected++) {
      int number = listing.number(i);
      if (number != expected) {
        break;
      }
      if (deleted.contains(number)) {
        continue;
      }
      int u = uids.indexOfNumber(number);
      if (u < 0 || uids.occurrences(u) != 1) {
        break;
      }
      String id = uids.uid(u);
      if (id.isEmpty()
          || id.length() > Selection.MAX_TRACKED_UID
          || state.apply(id) != UidState.KEPT) {
        break;
      }
      position++;
      uid = id;
    }
    if (position < MIN_KEPT) {
      return Optional.empty(); // not worth a write at each poll
    }
    int shortcuts = mailbox.whole() ? 0 : from.get().shortcuts() + 1;
    return Optional.of(new ListingMark(position, uid, shortcuts));
  }
}
