package org.popfetch.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.ListingMark;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.StoreNotOpenedException;

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
 * <p>Safe for use by several polls at once, as the store it opens is.
 */
public final class OpeningSeenUidStore implements SeenUidStore {
  /** Opens, and readies for the polls, the store the calls go to. */
  @FunctionalInterface
  public interface Opener {
    SeenUidStore open() throws IOException;
  }

  private final FutureTask<SeenUidStore> opening;

  private OpeningSeenUidStore(FutureTask<SeenUidStore> opening) {
    this.opening = opening;
  }

  /** Starts {@code opener} on a thread of its own. */
  public static OpeningSeenUidStore start(Opener opener) {
    FutureTask<SeenUidStore> opening = new FutureTask<>(opener::open);
    // A daemon: an opening that hangs must not keep the JVM alive past an interrupted run.
    Thread t = new Thread(opening, "state-open");
    t.setDaemon(true);
    t.start();
    return new OpeningSeenUidStore(opening);
  }

  /**
   * The open store, once open.
   *
   * @throws IOException the opening's own failure, as the opener threw it (a runtime exception or
   *     an error is thrown as it is), or an {@link InterruptedIOException} if interrupted while
   *     waiting
   */
  public SeenUidStore awaitOpen() throws IOException {
    try {
      return opening.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the state store was being opened");
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
    } catch (ExecutionException | InterruptedException e) {
      return false;
    }
  }

  /**
   * Waits for the opening to end and closes the store if it opened. A failed opening is not thrown
   * here: {@link #awaitOpen} tells it.
   */
  @Override
  public void close() throws IOException {
    SeenUidStore store = null;
    boolean interrupted = false;
    while (true) {
      try {
        store = opening.get();
        break;
      } catch (InterruptedException e) {
        // The store may be opening still: it is closed all the same, not left open behind.
        interrupted = true;
      } catch (ExecutionException e) {
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
