package org.popfetch.fetch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A mailbox's entries, read from the store on a thread of its own while the session connects, logs
 * in and lists: a poll of a large kept mailbox otherwise waits for that read after UIDL, and a
 * one-shot poll of 20,000 known messages spent most of its time there.
 *
 * <p>Reading early is sound because one poll at a time works on a mailbox's entries: nothing
 * changes them between the read and the session's listing.
 */
final class SeenUidsReadAhead {
  private final FutureTask<Map<String, SeenUid>> read;

  private SeenUidsReadAhead(FutureTask<Map<String, SeenUid>> read) {
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

  /** Starts reading {@code account}'s entries from {@code store}. */
  static SeenUidsReadAhead start(SeenUidStore store, AccountKey account) {
    FutureTask<Map<String, SeenUid>> read = new FutureTask<>(() -> store.load(account));
    READERS.execute(read);
    return new SeenUidsReadAhead(read);
  }

  /**
   * The entries, once read. The store's failure is thrown as the store threw it, as if it had been
   * read here.
   *
   * @throws IOException if the store could not read them, or the wait was interrupted
   */
  Map<String, SeenUid> get() throws IOException {
    try {
      return read.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the seen UIDs");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    }
  }
}
