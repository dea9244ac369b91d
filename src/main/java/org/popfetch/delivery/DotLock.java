package org.popfetch.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.popfetch.fetch.DeliveryException;

/**
 * The traditional mbox dotlock: "mbox.lock", created with O_EXCL. Whoever creates it holds the
 * mailbox; a lock older than the stale time is a crash's leftover and is taken over.
 */
final class DotLock implements AutoCloseable {
  private final Path file;

  private DotLock(Path file) {
    this.file = file;
  }

  static DotLock acquire(Path mbox, Duration wait, Duration stale) throws IOException {
    Path lock = mbox.resolveSibling(mbox.getFileName() + ".lock");
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        Files.write(lock, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII),
            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        return new DotLock(lock);
      } catch (FileAlreadyExistsException held) {
        try {
          FileTime modified = Files.getLastModifiedTime(lock);
          if (modified.toInstant().plus(stale).isBefore(Instant.now())) {
            Files.deleteIfExists(lock); // left by a writer that died
            continue;
          }
        } catch (IOException vanished) {
          continue; // released meanwhile: try again at once
        }
      }
      if (System.nanoTime() > deadline) {
        throw new DeliveryException("mbox is locked: " + lock + " exists", true, null);
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
    Files.deleteIfExists(file);
  }
}
