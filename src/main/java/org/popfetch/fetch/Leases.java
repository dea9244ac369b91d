package org.popfetch.fetch;

import java.io.IOException;
import java.util.Optional;

/** Where a poll takes its account's {@link Lease} before it connects. */
@FunctionalInterface
public interface Leases {
  /** A single node's: every lease is its own, for good. */
  Leases EXCLUSIVE = account -> Optional.of(Lease.EXCLUSIVE);

  /**
   * Takes the lease of the mailbox {@code account}, without waiting.
   *
   * @return empty if another node holds it (it is polling that mailbox right now)
   * @throws IOException if it cannot be known (the database is down): the caller must not poll
   */
  Optional<Lease> tryAcquire(AccountKey account) throws IOException;
}
