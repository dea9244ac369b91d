package org.popfetch.fetch;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * A store that writes only while the poll's {@link Lease} holds: every write asks the lease first,
 * so a poll that lost its account to another node records nothing more. Reads need no lease.
 */
final class FencedSeenUidStore implements SeenUidStore {
  private final SeenUidStore store;
  private final Lease lease;

  FencedSeenUidStore(SeenUidStore store, Lease lease) {
    this.store = store;
    this.lease = lease;
  }

  @Override
  public Map<String, SeenUid> load(AccountKey account) throws IOException {
    return store.load(account);
  }

  @Override
  public Map<String, SeenUid> load(AccountKey account, Collection<String> uids) throws IOException {
    return store.load(account, uids);
  }

  @Override
  public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
    if (entries.isEmpty()) {
      return;
    }
    lease.check();
    store.record(account, entries);
  }

  @Override
  public void forget(AccountKey account, Collection<String> uids) throws IOException {
    if (uids.isEmpty()) {
      return;
    }
    lease.check();
    store.forget(account, uids);
  }

  @Override
  public int adopt(AccountKey from, AccountKey to) throws IOException {
    lease.check();
    return store.adopt(from, to);
  }

  @Override
  public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    return store.loadMark(account);
  }

  @Override
  public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
    lease.check();
    store.storeMark(account, mark);
  }

  @Override
  public void countShortcut(AccountKey account, ListingMark counted) throws IOException {
    lease.check();
    store.countShortcut(account, counted);
  }

  @Override
  public boolean inMemory(AccountKey account) {
    return store.inMemory(account);
  }

  /** The poll does not own the store: closing is its owner's business. */
  @Override
  public void close() {}
}
