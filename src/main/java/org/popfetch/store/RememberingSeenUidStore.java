package org.popfetch.store;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.SeenUids;

/**
 * A store that keeps each mailbox's entries in memory between polls, for the service: a poll that
 * finds nothing new reads nothing from the file, and one of a large kept mailbox does not read its
 * tens of thousands of rows again each time.
 *
 * <p>The file stays the truth; memory only spares reading it. Every write goes to the store below
 * first and is durable there before the call returns, as {@link SeenUidStore} promises; only then
 * is the mailbox's entry in memory replaced by one with that write applied. A mailbox's entry is
 * dropped before each write, so a write that fails, or whose outcome is unknown, leaves nothing in
 * memory that the file might not hold: the next load reads the file. That is sound only while this
 * process is the file's only writer, which the service's state lock ensures.
 *
 * <p>Entries handed out are never changed afterwards (a write makes a new one), so a poll reads
 * what it loaded whatever other polls record meanwhile. At most {@code budget} entries, summed over
 * mailboxes, are kept; the mailboxes polled longest ago are dropped first, and one larger than the
 * budget is not kept at all.
 *
 * <p>Each mailbox's {@link ListingMark} is kept the same way, written through and dropped before
 * its write: one small record per mailbox polled. Only its count of polls after the mark may be
 * ahead of the file's, while the mark stays where the file has it ({@link #countShortcut}).
 */
public final class RememberingSeenUidStore implements SeenUidStore {
  private final SeenUidStore file;
  private final long budget;
  private final LinkedHashMap<AccountKey, SeenUids> remembered =
      new LinkedHashMap<>(16, 0.75f, true);
  private long held;
  private final Map<AccountKey, Optional<ListingMark>> marks = new HashMap<>();

  /**
   * @param file the store that holds the entries durably; closed with this one
   * @param budget how many entries at most to keep in memory, over all mailboxes
   */
  public RememberingSeenUidStore(SeenUidStore file, long budget) {
    this.file = file;
    this.budget = budget;
  }

  /** The entries of {@code account}, from memory if they are there, else from the file. */
  @Override
  public synchronized Map<String, SeenUid> load(AccountKey account) throws IOException {
    SeenUids known = remembered.get(account);
    if (known != null) {
      return known;
    }
    Map<String, SeenUid> read = file.load(account);
    if (read instanceof SeenUids s) {
      keep(account, s);
    }
    return read;
  }

  /**
   * All the entries of {@code account} if they are in memory, else those asked for, read from the
   * file (and not kept: they are not all of the mailbox's).
   */
  @Override
  public synchronized Map<String, SeenUid> load(AccountKey account, Collection<String> uids)
      throws IOException {
    SeenUids known = remembered.get(account);
    if (known != null) {
      return known;
    }
    return file.load(account, uids);
  }

  @Override
  public synchronized void record(AccountKey account, Collection<SeenUid> entries)
      throws IOException {
    if (entries.isEmpty()) {
      return;
    }
    SeenUids before = drop(account);
    file.record(account, entries);
    if (before != null) {
      keepAfterWrite(account, () -> before.recording(entries));
    }
  }

  @Override
  public synchronized void forget(AccountKey account, Collection<String> uids) throws IOException {
    if (uids.isEmpty()) {
      return;
    }
    SeenUids before = drop(account);
    file.forget(account, uids);
    if (before != null) {
      keepAfterWrite(account, () -> before.forgetting(uids));
    }
  }

  /** Moves the entries in the file; both mailboxes, and their marks, are read from it again. */
  @Override
  public synchronized int adopt(AccountKey from, AccountKey to) throws IOException {
    drop(from);
    drop(to);
    marks.remove(from);
    marks.remove(to);
    return file.adopt(from, to);
  }

  @Override
  public synchronized Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    Optional<ListingMark> known = marks.get(account);
    if (known != null) {
      return known;
    }
    Optional<ListingMark> read = file.loadMark(account);
    marks.put(account, read);
    return read;
  }

  @Override
  public synchronized void storeMark(AccountKey account, Optional<ListingMark> mark)
      throws IOException {
    marks.remove(account);
    file.storeMark(account, mark);
    marks.put(account, mark);
  }

  /**
   * Raises the count of the mark in memory alone while the file's mark is at the same place: a poll
   * that finds nothing new then writes nothing (one transaction and its sync per poll of every
   * large kept mailbox). A mark that moved is written through as {@link #storeMark} writes it.
   */
  @Override
  public synchronized void countShortcut(AccountKey account, ListingMark counted)
      throws IOException {
    Optional<ListingMark> known = marks.get(account);
    if (known != null && known.isPresent() && known.get().samePlaceAs(counted)) {
      marks.put(account, Optional.of(counted));
      return;
    }
    storeMark(account, Optional.of(counted));
  }

  /** True once the mailbox's mark and entries are both held in memory. */
  @Override
  public synchronized boolean inMemory(AccountKey account) {
    return marks.containsKey(account) && remembered.containsKey(account);
  }

  /** How many entries are held in memory now, for tests. */
  synchronized long held() {
    return held;
  }

  private SeenUids drop(AccountKey account) {
    SeenUids gone = remembered.remove(account);
    if (gone != null) {
      held -= gone.size();
    }
    return gone;
  }

  /**
   * Keeps what a write that succeeded left. The write is done and durable: a failure to make its
   * copy in memory must not look like a failed write, so it only leaves the mailbox to be read from
   * the file next time.
   */
  private void keepAfterWrite(AccountKey account, Supplier<SeenUids> after) {
    try {
      keep(account, after.get());
    } catch (RuntimeException e) {
      drop(account);
    }
  }

  private void keep(AccountKey account, SeenUids entries) {
    if (entries.size() > budget) {
      return;
    }
    // Indexed here, under the lock, so that the polls that read it later only read it.
    remembered.put(account, entries.indexed());
    held += entries.size();
    var oldest = remembered.entrySet().iterator();
    while (held > budget) {
      held -= oldest.next().getValue().size();
      oldest.remove();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    remembered.clear();
    marks.clear();
    held = 0;
    file.close();
  }
}
