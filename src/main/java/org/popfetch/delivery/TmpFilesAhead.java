package org.popfetch.delivery;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Creates a batch's empty tmp/ files on another thread, a few ahead of the messages that will fill
 * them, so that the reading thread does not wait for the file system's inode allocation: on an ext4
 * without a journal that skips every inode freed in the last minute, a creation in a directory
 * where thousands of files were just deleted took 360 microseconds, a third of the time a 130 KB
 * message takes to arrive.
 *
 * <p>At most {@code count} files are made, never more than {@link #AHEAD} not yet taken. A file
 * that is never taken is deleted by {@link #close}; a crash leaves it empty in tmp/, where no
 * reader looks and the next start removes it after 36 hours, like any other tmp/ file. The creator
 * stops at its first failure: {@link #take} then answers null and the caller creates the file
 * itself, meeting the same error where it is reported as always.
 */
final class TmpFilesAhead {
  /** Enough to ride out a slow creation; each is an open file until taken. */
  static final int AHEAD = 8;

  /**
   * After this long without a take the creator stops (a message may take longer to arrive; the
   * files made stay usable and the caller makes the rest itself), so that an idle thread does not
   * hold the destination for the rest of a slow transfer.
   */
  private static final long ABANDONED_NANOS = TimeUnit.MINUTES.toNanos(2);

  private static final ThreadPoolExecutor POOL =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          5,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "popfetch-tmpfiles");
            t.setDaemon(true);
            return t;
          });

  /** A created file: its name in tmp/ and its channel, open for writing. */
  record Made(String name, FileChannel channel) {}

  private final DirectoryHandle tmp;
  private final Supplier<String> names;
  private final FileAttribute<?> mode;
  private final PosixFileAttributes giveTo;
  private final Deque<Made> ready = new ArrayDeque<>();
  private int left;
  private boolean running = true;
  private boolean closed;

  private TmpFilesAhead(
      DirectoryHandle tmp,
      int count,
      Supplier<String> names,
      FileAttribute<?> mode,
      PosixFileAttributes giveTo) {
    this.tmp = tmp;
    this.left = count;
    this.names = names;
    this.mode = mode;
    this.giveTo = giveTo;
  }

  /**
   * Starts making {@code count} files in {@code tmp}, named by {@code names}, created exclusively
   * with {@code mode} and given to {@code giveTo} (none if null).
   */
  static TmpFilesAhead start(
      DirectoryHandle tmp,
      int count,
      Supplier<String> names,
      FileAttribute<?> mode,
      PosixFileAttributes giveTo) {
    TmpFilesAhead ahead = new TmpFilesAhead(tmp, count, names, mode, giveTo);
    try {
      POOL.execute(ahead::make);
    } catch (RejectedExecutionException | OutOfMemoryError e) {
      ahead.running = false; // no thread for it: every file is made by the caller
    }
    return ahead;
  }

  /**
   * The next file made, waiting for it if it is being made; null once none is left to make, after
   * the creator failed, or on an interrupt (kept for the caller).
   */
  synchronized Made take() {
    while (ready.isEmpty() && running) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    Made m = ready.poll();
    notifyAll();
    return m;
  }

  /**
   * Stops the creator, waits for the file it may be making, and closes and deletes every file not
   * taken. Call before the directory is closed; a second call does nothing.
   */
  void close() {
    Deque<Made> untaken;
    synchronized (this) {
      closed = true;
      notifyAll();
      boolean interrupted = false;
      while (running) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true; // the creator is between two system calls: it ends at once
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      untaken = new ArrayDeque<>(ready);
      ready.clear();
    }
    // An empty tmp/ file left by a failure here is harmless: readers never look there.
    for (Made m : untaken) {
      try {
        m.channel().close();
      } catch (IOException ignored) {
        // deleted all the same
      }
      try {
        tmp.delete(m.name());
      } catch (IOException ignored) {
        // left empty, as a crash would leave it
      }
    }
  }

  private void make() {
    try {
      while (true) {
        synchronized (this) {
          long giveUp = System.nanoTime() + ABANDONED_NANOS;
          while (!closed && left > 0 && ready.size() >= AHEAD) {
            long wait = giveUp - System.nanoTime();
            if (wait <= 0) {
              return; // a batch dropped without a close: its empty files stay, as a crash's would
            }
            TimeUnit.NANOSECONDS.timedWait(this, wait);
          }
          if (closed || left == 0) {
            return;
          }
          left--;
        }
        String name = names.get();
        FileChannel channel = tmp.createOwnedFile(name, mode, giveTo);
        synchronized (this) {
          ready.add(new Made(name, channel));
          notifyAll();
        }
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      // The caller creates its files itself from here on, and meets the error there if it lasts.
    } finally {
      synchronized (this) {
        running = false;
        notifyAll();
      }
    }
  }
}
