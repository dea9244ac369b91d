package org.popfetch.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps two popfetch processes from polling with one state store at once, which would fetch the
 * same new messages twice. An fcntl lock on "&lt;state file&gt;.lock": the kernel releases it when
 * the process dies, so a crash never leaves a stale lock behind.
 */
public final class StateLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private StateLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock for the store at {@code stateUrl} ("jdbc:sqlite:/path").
   *
   * @return empty if another process holds it
   */
  public static Optional<StateLock> tryAcquire(String stateUrl) throws IOException {
    return tryAcquire(SqliteSeenUidStore.fileOf(stateUrl));
  }

  /**
   * Takes the lock for the store in the database file {@code database} (a file beside it, ending in
   * ".lock").
   *
   * @return empty if another process holds it
   */
  public static Optional<StateLock> tryAcquire(Path database) throws IOException {
    Path file = Path.of(database + ".lock").toAbsolutePath();
    Files.createDirectories(
        file.getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    FileChannel channel =
        FileChannel.open(
            file,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this very process: as busy as held by another
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    return Optional.of(new StateLock(channel, lock));
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
