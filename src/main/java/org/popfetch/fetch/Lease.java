package org.popfetch.fetch;

import java.io.IOException;

/**
 * The right to poll one account, exclusive cluster-wide, held for a whole POP3 session. A poll asks
 * {@link #check} right before each of its commit points: each store write (the seen UIDs of a
 * delivered batch, delete-pending marks, forgetting deleted ones), each DELE and the QUIT that
 * commits the DELEs. A lease that is gone stops the poll there: the connection is dropped without
 * QUIT, so nothing of the session is deleted, and nothing more is recorded. What was delivered
 * before stays recorded (delivered, or delete-pending) and the holder of the new lease settles it.
 *
 * <p>A single node has nothing to share and holds every lease for good ({@link #EXCLUSIVE}).
 */
public interface Lease extends AutoCloseable {
  /** The lease of a process that shares its accounts with no one: never lost. */
  Lease EXCLUSIVE =
      new Lease() {
        @Override
        public void check() {}

        @Override
        public void close() {}
      };

  /**
   * Returns only while the lease is still this node's.
   *
   * @throws LostException if it was lost (the connection that holds it broke, the database
   *     restarted, another node took it over); the caller records and deletes nothing more
   */
  void check() throws LostException;

  /** Gives the lease back; never throws. */
  @Override
  void close();

  /** The lease is gone: say why, in the database's own words where there are any. */
  final class LostException extends IOException {
    public LostException(String message) {
      super(message);
    }

    public LostException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
