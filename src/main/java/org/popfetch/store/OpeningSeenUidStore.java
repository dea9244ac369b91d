package org.popfetch.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.StoreNotOpenedException;
import org.popfetch.fetch.TaskFailure;

/**
 * A seen-UID store being opened on a thread of its own, handed to the polls at once: each call
 * waits until the store is open, then goes to it. A one-shot poll so connects, negotiates TLS and
 * logs in while the store opens (loading the SQLite driver and its native library, adopting older
 * state) instead of after: it waits for whichever ends later, not for their sum.
 *
 * <p>If the opening fails, every call throws a {@link StoreNotOpenedException} with the failure as
 * its cause, and {@link #awaitOpen} throws the failure itself, for the one who started the opening
 * to report once. A poll reads the store before it sends anything after the login, so a store that
 * never opened has none of its writes, and no message was marked for deletion.
 *
 * <p>The opening is given a time: a store on a file system that hangs (a stalled network mount)
 * must not keep the polls' sessions logged in, holding the server's maildrop lock, until the server
 * gives up on them. Past it the opening counts as failed, with a failure that says so.
 *
 * <p>Safe for use by several polls at once, as the store it opens is.
 */
public final class OpeningSeenUidStore implements SeenUidStore {
  /** Opens, and readies for the polls, the store the calls go to. */
  @FunctionalInterface
  public interface Opener {
    SeenUidStore open() throws IOException;
  }

  private final FutureTask<SeenUidStore> opening;
  private final Duration patience;
  private final long deadline;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OpeningSeenUidStore(FutureTask<SeenUidStore> opening, Duration patience) {
    this.opening = opening;
    this.patience = patience;
    this.deadline = System.nanoTime() + patience.toNanos();
  }

  /**
   * Starts {@code opener} on a thread of its own; the store must be open within {@code patience} of
   * now.
   */
  public static OpeningSeenUidStore start(Opener opener, Duration patience) {
    FutureTask<SeenUidStore> opening = new FutureTask<>(opener::open);
    OpeningSeenUidStore store = new OpeningSeenUidStore(opening, patience);
    // A daemon: an opening that hangs must not keep the JVM alive past an interrupted run.
    Thread t = new Thread(opening, "state-open");
    t.setDaemon(true);
    t.start();
    return store;
  }

  /**
   * The open store, once open.
   *
   * @throws IOException the opening's own failure, as the opener threw it (a runtime exception or
   *     an error is thrown as it is); one that says so if the store was not open in time; or an
   *     {@link InterruptedIOException} if interrupted while waiting
   */
  public SeenUidStore awaitOpen() throws IOException {
    try {
      return opening.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the state store was being opened");
    } catch (TimeoutException e) {
      throw new IOException(
          "the state store was still being opened after " + patience.toSeconds() + " s");
    } catch (CancellationException e) {
      throw new IOException("the state store's opening was given up", e);
    } catch (ExecutionException e) {
      throw TaskFailure.rethrown(e);
    }
  }

  /**
   * Whether the store is known not to open: its opening failed or ran out of time. False while it
   * may still open. Asks nothing of the opening thread and never waits, so a poll can be skipped
   * before it costs its server a login.
   */
  public boolean failed() {
    if (!opening.isDone()) {
      return System.nanoTime() - deadline >= 0;
    }
    try {
      opening.get();
      return false;
    } catch (ExecutionException | CancellationException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The store for a call: the open one, or a {@link StoreNotOpenedException}. */
  private SeenUidStore store() throws IOException {
    try {
      return awaitOpen();
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException | RuntimeException | Error e) {
      throw new StoreNotOpenedException(e);
    }
  }

  @Override
  public Map<String, SeenUid> load(AccountKey account) throws IOException {
    return store().load(account);
  }

  @Override
  public Map<String, SeenUid> load(AccountKey account, Collection<String> uids) throws IOException {
    return store().load(account, uids);
  }

  @Override
  public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
    store().record(account, entries);
  }

  @Override
  public void forget(AccountKey account, Collection<String> uids) throws IOException {
    store().forget(account, uids);
  }

  @Override
  public int adopt(AccountKey from, AccountKey to) throws IOException {
    return store().adopt(from, to);
  }

  @Override
  public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    return store().loadMark(account);
  }

  @Override
  public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
    store().storeMark(account, mark);
  }

  @Override
  public void countShortcut(AccountKey account, ListingMark counted) throws IOException {
    store().countShortcut(account, counted);
  }

  /** The open store's answer; false while it is being opened (a read then waits anyway). */
  @Override
  public boolean inMemory(AccountKey account) {
    if (!opening.isDone()) {
      return false;
    }
    try {
      return opening.get().inMemory(account);
    } catch (ExecutionException | InterruptedException | CancellationException e) {
      return false;
    }
  }

  /**
   * Waits for the opening to end, as long as its time allows, and closes the store if it opened. A
   * failed opening is not thrown here: {@link #awaitOpen} tells it. An opening still under way when
   * its time is up is interrupted and left to its thread, a daemon; if it opens the store after
   * all, the process's end closes it. A second call does nothing.
   */
  @Override
  public void close() throws IOException {
    if (closed.getAndSet(true)) {
      return;
    }
    SeenUidStore store = null;
    boolean interrupted = false;
    while (true) {
      try {
        store = opening.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        break;
      } catch (InterruptedException e) {
        // The store may be opening still: it is closed all the same, not left open behind.
        interrupted = true;
      } catch (TimeoutException e) {
        opening.cancel(true);
        break;
      } catch (ExecutionException | CancellationException e) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (store != null) {
      store.close();
    }
  }
}
