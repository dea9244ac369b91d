package org.popfetch.config;

import java.nio.file.Path;
import java.util.Optional;

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

  /**
   * Where the state goes when the configuration does not say: beside the user's own files for a
   * configuration under {@code ~/.config} (a per-user instance, {@code popfetch@alice.service}, or
   * a user's own cron job: {@code $XDG_STATE_HOME/popfetch/state.db}, else {@code
   * ~/.local/state/popfetch/state.db}), {@link #DEFAULT} for any other (the system's).
   *
   * @param config the configuration file
   * @param home the user's home directory ({@code $HOME}), if known
   * @param xdgStateHome {@code $XDG_STATE_HOME}, if set; ignored unless absolute, as the XDG
   *     specification says
   */
  public static StateLocation defaultFor(
      Path config, Optional<String> home, Optional<String> xdgStateHome) {
    if (home.isEmpty() || !home.get().startsWith("/") || Path.of(home.get()).getNameCount() == 0) {
      return DEFAULT;
    }
    Path homeDir = Path.of(home.get()).normalize();
    if (!config.toAbsolutePath().normalize().startsWith(homeDir.resolve(".config"))) {
      return DEFAULT;
    }
    Path stateHome =
        xdgStateHome
            .filter(x -> x.startsWith("/"))
            .map(Path::of)
            .orElse(homeDir.resolve(".local/state"));
    return new StateLocation(stateHome.resolve("popfetch/state.db"));
  }

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
