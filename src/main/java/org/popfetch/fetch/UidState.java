package org.popfetch.fetch;

/** What popfetch knows about a message it has seen on the server. */
public enum UidState {
  /** Delivered and left on the server (keep mode). Never fetched again. */
  KEPT,
  /**
   * Delivered and to be deleted. If it is still on the server at the next poll (the DELE or the
   * QUIT did not go through), it is deleted then, not delivered again.
   */
  DELETE_PENDING,
  /** Too large to fetch under max-size; already reported, so not reported again. */
  OVERSIZE,
  /**
   * Not delivered: the destination failed temporarily. Fetched again at the next poll; the attempts
   * and the last reason are kept for the log and for the admin.
   */
  FAILED
}
