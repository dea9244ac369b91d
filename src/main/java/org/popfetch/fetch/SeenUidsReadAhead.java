package org.popfetch.fetch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A mailbox's entries, read from the store on a thread of its own while the session connects, logs
 * in and lists: a poll of a large kept mailbox otherwise waits for that read after UIDL, and a
 * one-shot poll of 20,000 known messages spent most of its time there.
 *
 * <p>Reading early is sound because one poll at a time works on a mailbox's entries: nothing
 * changes them between the read and the session's listing. The mailbox's {@link ListingMark} is
 * read first, on the same thread, for the same reason; where it lets the poll list only the
 * messages after it, the entries are not all read ahead: the poll asks the store for those of the
 * few messages it lists ({@link #of}), and reads them all only if it reads the whole listing after
 * all ({@link #get}). A mailbox the store already holds in memory ({@link SeenUidStore#inMemory})
 * is read on the poll's own thread: there is nothing to wait for, and the hand-off would cost more.
 */
final class SeenUidsReadAhead {
  private final SeenUidStore store;
  private final AccountKey account;
  private final FutureTask<Optional<ListingMark>> mark;

  /** Every entry, or null if the mark made reading them all ahead not worth it. */
  private final FutureTask<Map<String, SeenUid>> read;

  private Map<String, SeenUid> readHere;

  private SeenUidsReadAhead(
      SeenUidStore store,
      AccountKey account,
      FutureTask<Optional<ListingMark>> mark,
      FutureTask<Map<String, SeenUid>> read) {
    this.store = store;
    this.account = account;
    this.mark = mark;
    this.read = read;
  }

  /**
   * The readers: a thread kept a minute after its last read, so that the service's polls, a few a
   * second with a hundred accounts, do not each start and end a thread (which cost an idle service
   * more CPU than the read itself); a poll that finds every reader busy gets a new one. Daemon
   * threads: a one-shot run does not wait for them.
   */
  private static final ExecutorService READERS =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "seen-uids");
            t.setDaemon(true);
            return t;
          });

  /** Starts reading {@code account}'s mark and entries from {@code store}. */
  static SeenUidsReadAhead start(SeenUidStore store, AccountKey account) {
    return start(store, account, m -> true);
  }

  /**
   * Starts reading {@code account}'s mark from {@code store}, then its entries if {@code readAll}
   * says so of the mark.
   */
  static SeenUidsReadAhead start(
      SeenUidStore store, AccountKey account, Predicate<Optional<ListingMark>> readAll) {
    FutureTask<Optional<ListingMark>> mark = new FutureTask<>(() -> store.loadMark(account));
    FutureTask<Map<String, SeenUid>> read =
        new FutureTask<>(() -> readAll.test(markOrNone(mark)) ? store.load(account) : null);
    Runnable both =
        () -> {
          mark.run();
          read.run();
        };
    if (store.inMemory(account)) {
      // Nothing to wait for: a hand-off to a reader would cost the poll two thread switches.
      both.run();
    } else {
      READERS.execute(both);
    }
    return new SeenUidsReadAhead(store, account, mark, read);
  }

  /**
   * The mailbox's mark, once read (before the entries are).
   *
   * @throws IOException as {@link #get()}
   */
  Optional<ListingMark> mark() throws IOException {
    return outcome(mark);
  }

  /**
   * The entries, once read: ahead, or here if they were not. The store's failure is thrown as the
   * store threw it, as if it had been read here.
   *
   * @throws IOException if the store could not read them, or the wait was interrupted
   */
  Map<String, SeenUid> get() throws IOException {
    Map<String, SeenUid> ahead = outcome(read);
    if (ahead != null) {
      return ahead;
    }
    if (readHere == null) {
      readHere = store.load(account);
    }
    return readHere;
  }

  /**
   * The entries of at least these UIDs: all of them if they were read ahead, else those asked for.
   *
   * @throws IOException as {@link #get()}
   */
  Map<String, SeenUid> of(Collection<String> uids) throws IOException {
    Map<String, SeenUid> ahead = outcome(read);
    if (ahead != null) {
      return ahead;
    }
    return store.load(account, uids);
  }

  /**
   * Gives up what is not yet read, for a poll that ended before it needed it (a refused login, a
   * cut connection): a read not yet begun is not begun, so a large mailbox is not read for nobody.
   * A read under way finishes; its result is dropped.
   */
  void cancel() {
    read.cancel(false);
    mark.cancel(false);
  }

  /** The mark read, or none if it could not be (the poll fails on that failure anyway). */
  private static Optional<ListingMark> markOrNone(FutureTask<Optional<ListingMark>> mark)
      throws InterruptedException {
    try {
      return mark.get();
    } catch (ExecutionException e) {
      return Optional.empty();
    }
  }

  private static <T> T outcome(FutureTask<T> task) throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the seen UIDs");
    } catch (ExecutionException e) {
      throw TaskFailure.rethrown(e);
    }
  }
}
