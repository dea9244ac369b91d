package org.popfetch.fetch;

import java.util.Locale;

/**
 * What becomes of a message larger than a max-size, decided from its size in LIST (an account's
 * max-size) or from its header and size (a rule's).
 */
public enum OversizeAction {
  /** Left on the server, reported once (recorded OVERSIZE so later polls stay quiet). */
  LEAVE,
  /** Deleted on the server without being fetched, logged with its sender and subject. */
  DELETE,
  /**
   * Left on the server, and the account's destination gets one notice naming its sender, subject
   * and size; recorded OVERSIZE only once the notice is durable, so it is sent once.
   */
  NOTICE;

  /** The word for it in the configuration and in explain: "leave", "delete", "notice". */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
