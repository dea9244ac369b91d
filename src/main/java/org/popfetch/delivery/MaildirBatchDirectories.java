package org.popfetch.delivery;

import java.lang.ref.Cleaner;

/**
 * The Maildir directories one batch is written through, from its first stage to the end of its
 * commit or discard. Each batch has its own, so that one batch's commit can go on (on another
 * thread) while the next is staged. {@link #close} closes them once; so does the cleaner, should a
 * poll drop the destination mid-batch.
 */
final class MaildirBatchDirectories {
  final DirectoryHandle tmp;
  final DirectoryHandle newDir;
  int staged;
  private final Cleaner.Cleanable cleanable;
  private volatile boolean closed;

  MaildirBatchDirectories(
      Cleaner cleaner, Object owner, DirectoryHandle tmp, DirectoryHandle newDir) {
    this.tmp = tmp;
    this.newDir = newDir;
    this.cleanable = cleaner.register(owner, new Closer(tmp, newDir));
  }

  boolean isClosed() {
    return closed;
  }

  /** Closes both directories; a second call does nothing. */
  void close() {
    closed = true;
    cleanable.clean();
  }

  /** Holds no reference to the destination, so that the cleaner can run. */
  private record Closer(DirectoryHandle tmp, DirectoryHandle newDir) implements Runnable {
    @Override
    public void run() {
      tmp.close();
      newDir.close();
    }
  }
}
