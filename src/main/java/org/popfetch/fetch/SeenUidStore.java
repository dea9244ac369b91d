package org.popfetch.fetch;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers which messages of each mailbox were seen, so that only new ones are fetched.
 *
 * <p>Every write is durable when the call returns: the fetch pass sends DELE only after {@link
 * #record} has returned. Implementations are safe for use by several accounts' polls at once.
 */
public interface SeenUidStore extends AutoCloseable {
  /** Everything known about one mailbox, by UID. */
  Map<String, SeenUid> load(AccountKey account) throws IOException;

  /**
   * The entries of {@code account} for these UIDs, for a poll that looks at only a few messages (a
   * listing after a {@link ListingMark}). The map may hold more entries than asked for, never fewer
   * of those that exist; by default it is {@link #load(AccountKey)}'s.
   */
  default Map<String, SeenUid> load(AccountKey account, Collection<String> uids)
      throws IOException {
    return load(account);
  }

  /** Inserts or replaces these entries, all in one transaction. */
  void record(AccountKey account, Collection<SeenUid> entries) throws IOException;

  /** Removes these UIDs (the messages were deleted from the server). */
  void forget(AccountKey account, Collection<String> uids) throws IOException;

  /**
   * Moves every entry of {@code from} to {@code to}, in one transaction, if {@code to} has none:
   * how state stored under an older scope is taken over by the one account it belongs to. A failure
   * moves nothing.
   *
   * @return how many entries moved: 0 if {@code from} had none or {@code to} already had some
   */
  int adopt(AccountKey from, AccountKey to) throws IOException;

  /**
   * Where the last successful poll of {@code account} left off, if it left a mark. A store that
   * keeps no marks has none: every poll then reads the whole listing, which is always sound.
   */
  default Optional<ListingMark> loadMark(AccountKey account) throws IOException {
    return Optional.empty();
  }

  /**
   * Replaces the mark of {@code account} with {@code mark}, or removes it if empty; durable when
   * this returns, like every write. {@link #adopt} removes the marks of both mailboxes.
   */
  default void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {}

  /**
   * Notes one more poll listed after the mark, which stays where it was: {@code counted} is the
   * stored mark with its {@link ListingMark#shortcuts()} raised. By default it is stored as {@link
   * #storeMark} stores any mark; a store may keep the count in memory only, since it only says when
   * the whole listing is due again: a restart that loses it costs a few more polls after the mark,
   * each as sound as the last, before the whole listing comes.
   */
  default void countShortcut(AccountKey account, ListingMark counted) throws IOException {
    storeMark(account, Optional.of(counted));
  }

  /**
   * Whether reading {@code account}'s mark and entries now would read memory only, no file or
   * database: a poll then reads them on its own thread, since handing the read to another thread
   * would cost more than the read. False unless the store knows.
   */
  default boolean inMemory(AccountKey account) {
    return false;
  }

  @Override
  void close() throws IOException;
}
