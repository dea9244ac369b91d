package org.popfetch.delivery;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A mailbox path that popfetch will not deliver through: a symbolic link another user could have
 * planted, or a directory that changed under it while it was being set up. Not a passing trouble:
 * it needs an admin, and no mail may be written there meanwhile.
 */
final class UnsafePathException extends IOException {
  UnsafePathException(String message) {
    super(message);
  }

  static UnsafePathException link(Path link) {
    return new UnsafePathException(
        link
            + " is a symbolic link; popfetch follows none inside a mailbox"
            + " or in a directory another user can write");
  }
}
