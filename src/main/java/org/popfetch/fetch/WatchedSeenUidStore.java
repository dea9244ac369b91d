package org.popfetch.fetch;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A poll's view of its store that notes the state each of its writes left for a unique-id, so that
 * at the end the poll knows what the store holds for its listing without reading it again (for its
 * {@link ListingMark}). Only the writes that succeeded are noted.
 */
final class WatchedSeenUidStore implements SeenUidStore {
  private final SeenUidStore store;
  private final AccountKey account;

  /** The state written last for each id this poll wrote; null for an id it forgot. */
  private final Map<String, UidState> written = new HashMap<>();

  /** Notes the writes to {@code account}'s entries. */
  WatchedSeenUidStore(SeenUidStore store, AccountKey account) {
    this.store = store;
    this.account = account;
  }

  /**
   * What the store holds for {@code uid} now: this poll's last write of it, else what {@code
   * before} (the entries read at the poll's start) says; null if nothing.
   */
  UidState stateOf(String uid, Map<String, SeenUid> before) {
    if (written.containsKey(uid)) {
      return written.get(uid);
    }
    SeenUid e = before.get(uid);
    return e == null ? null : e.state();
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
    store.record(account, entries);
    if (!account.equals(this.account)) {
      return;
    }
    for (SeenUid e : entries) {
      written.put(e.uid(), e.state());
    }
  }

  @Override
  public void forget(AccountKey account, Collection<String> uids) throws IOException {
    store.forget(account, uids);
    if (!account.equals(this.account)) {
      return;
    }
    for (String uid : uids) {
      written.put(uid, null);
    }
  }

  @Override
  public int adopt(AccountKey from, AccountKey to) throws IOException {
    return store.adopt(from, to);
  }

  @Override
  public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    return store.loadMark(account);
  }

  @Override
  public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
    store.storeMark(account, mark);
  }

  @Override
  public void countShortcut(AccountKey account, ListingMark counted) throws IOException {
    store.countShortcut(account, counted);
  }

  /** The poll does not own the store: closing is its owner's business. */
  @Override
  public void close() {}
}
