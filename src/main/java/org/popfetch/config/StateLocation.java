package org.popfetch.config;

import java.nio.file.Path;

/**
 * Where seen UIDs are kept: an SQLite file, named in the configuration by a
 * "jdbc:sqlite:/path/to/state.db" URL that is read once, here.
 *
 * @param file the database file, as written (possibly relative)
 */
public record StateLocation(Path file) {
  /** The only kind of state URL popfetch takes. */
  public static final String SQLITE_PREFIX = "jdbc:sqlite:";

  /** The default store, /var/lib/popfetch/state.db. */
  public static final StateLocation DEFAULT =
      new StateLocation(Path.of("/var/lib/popfetch/state.db"));

  /** The URL as the configuration spells it, for messages and comparisons. */
  public String url() {
    return SQLITE_PREFIX + file;
  }

  /** The directory holding the database; the spool, queue and quarantine live beside it. */
  public Path directory() {
    return file.toAbsolutePath().getParent();
  }

  @Override
  public String toString() {
    return url();
  }
}
