package org.popfetch.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.popfetch.fetch.DeliveryException;

/**
 * The traditional mbox dotlock: "mbox.lock", created with O_EXCL. Whoever creates it holds the
 * mailbox; a lock older than the stale time is a crash's leftover and is taken over. Made and
 * removed inside the mailbox's directory held open, never through a link.
 */
final class DotLock implements AutoCloseable {
  private final DirectoryHandle dir;
  private final String name;

  private DotLock(DirectoryHandle dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /** Takes the lock for {@code mbox} in {@code dir}, which must stay open until {@link #close}. */
  static DotLock acquire(DirectoryHandle dir, String mbox, Duration wait, Duration stale)
      throws IOException {
    String lock = mbox + ".lock";
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try (FileChannel ch =
          dir.createFile(
              lock,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
        ch.write(
            ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        return new DotLock(dir, lock);
      } catch (FileAlreadyExistsException held) {
        Optional<PosixFileAttributes> a = dir.stat(lock);
        if (a.isEmpty()) {
          continue; // released meanwhile: try again at once
        }
        if (a.get().lastModifiedTime().toInstant().plus(stale).isBefore(Instant.now())) {
          try {
            dir.delete(lock); // left by a writer that died
          } catch (NoSuchFileException gone) {
            // another writer took it over first
          }
          continue;
        }
      }
      if (System.nanoTime() > deadline) {
        throw DeliveryException.deferred("mbox is locked: " + dir.path().resolve(lock) + " exists");
      }
      pause();
    }
  }

  /** The wait between two tries at a lock someone else holds. */
  static void pause() throws IOException {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a mailbox lock", e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      dir.delete(name);
    } catch (NoSuchFileException gone) {
      // taken over as stale by someone else: nothing of ours left to remove
    }
  }
}
