package org.popfetch.fetch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

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

  /** Starts reading {@code account}'s entries from {@code store}. */
  static SeenUidsReadAhead start(SeenUidStore store, AccountKey account) {
    FutureTask<Map<String, SeenUid>> read = new FutureTask<>(() -> store.load(account));
    Thread t = new Thread(read, "seen-uids " + account);
    t.setDaemon(true);
    t.start();
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
