package org.popfetch.fetch;

import java.util.List;

/**
 * Decides what becomes of a message from its header fields and size, before it is fetched (from the
 * header TOP gives) and again when it is retrieved (from the header RETR gives). One implementation
 * serves the poll and {@code popfetch explain}, so the dry run says what a poll does.
 */
public interface MessageRules {
  /**
   * Whether any verdict can depend on the header: a rule that skips, deletes or has a max-size of
   * its own. Only then does a poll ask the server for headers (TOP) before RETR.
   */
  boolean needsHeaders();

  /**
   * The verdict on one message.
   *
   * @param message its envelope and header fields (trace fields do not matter)
   * @param size its size in octets, as listed
   */
  Verdict judge(Incoming message, long size);

  /** No rules: every message is fetched and goes to {@code destination}. */
  static MessageRules deliverTo(Destination destination) {
    return new MessageRules() {
      @Override
      public boolean needsHeaders() {
        return false;
      }

      @Override
      public Verdict judge(Incoming message, long size) {
        return new Verdict.Fetch("", List.of(destination.describe()));
      }
    };
  }

  /** The rules of a destination that has them, else those of {@link #deliverTo}. */
  static MessageRules of(Destination destination) {
    return destination instanceof MessageRules rules ? rules : deliverTo(destination);
  }
}
