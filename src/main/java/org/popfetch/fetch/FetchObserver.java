package org.popfetch.fetch;

/** Watches polls: for progress bars, logs and metrics. Called on the polling thread. */
public interface FetchObserver {
  FetchObserver NONE = new FetchObserver() {};

  /** A poll of {@code account} begins (before it connects): where a poll's duration starts. */
  default void started(String account) {}

  /** The selection is made: {@code messages} new messages of {@code octets} will be fetched. */
  default void fetching(String account, int messages, long octets) {}

  /** One message is staged at its destination (durable at the end of its batch). */
  default void fetched(String account, int number, long octets) {}

  /**
   * A message is dealt with without being fetched: left by a rule, deleted by a rule or for its
   * size, or left for its size (its owner told or not).
   */
  default void decided(String account, Decision decision) {}

  /** The poll ended, whether it succeeded or not; called once for each {@link #started}. */
  default void finished(PollResult result) {}
}
