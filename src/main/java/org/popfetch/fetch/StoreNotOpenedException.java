package org.popfetch.fetch;

import java.io.IOException;

/**
 * The seen-UID store a poll was handed could not be opened at all (a corrupt or locked database, a
 * driver that would not load): thrown by each of its calls. A poll meets it at its first read of
 * the store, right after the login, before any other command: it ends the session with QUIT, having
 * marked nothing for deletion, and says nothing of it, since whoever opened the store says why,
 * once for all accounts.
 */
public final class StoreNotOpenedException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param cause why the store could not be opened
   */
  public StoreNotOpenedException(Throwable cause) {
    super("the state store could not be opened: " + cause.getMessage(), cause);
  }
}
