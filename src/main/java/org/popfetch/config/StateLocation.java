package org.popfetch.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where seen UIDs are kept: an SQLite file, named in the configuration by a
 * "jdbc:sqlite:/path/to/state.db" URL, or a PostgreSQL database shared by several nodes
 * ("jdbc:postgresql://..."). Read once, here.
 *
 * @param file the SQLite database file, as written (possibly relative); with shared state, a file
 *     in the node's own state directory that only its lock is taken on (two processes on one node
 *     must not share a queue or a control socket)
 * @param shared the PostgreSQL database several nodes share, if the state is shared
 */
public record StateLocation(Path file, Optional<SharedState> shared) {
  /** How an SQLite state URL starts. */
  public static final String SQLITE_PREFIX = "jdbc:sqlite:";

  /** The file the node's lock is taken on when the state is shared. */
  static final String NODE_LOCK_FILE = "node";

  /** The default store, /var/lib/popfetch/state.db. */
  public static final StateLocation DEFAULT =
      new StateLocation(Path.of("/var/lib/popfetch/state.db"));

  /** An SQLite store in {@code file}. */
  public StateLocation(Path file) {
    this(file, Optional.empty());
  }

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

  /** Shared state in {@code shared}, this node's own files in {@code directory}. */
  public static StateLocation shared(SharedState shared, Path directory) {
    return new StateLocation(directory.resolve(NODE_LOCK_FILE), Optional.of(shared));
  }

  /** Whether several nodes share this state (PostgreSQL). */
  public boolean clustered() {
    return shared.isPresent();
  }

  /** The URL as the configuration spells it, for messages and comparisons. */
  public String url() {
    return shared.map(SharedState::url).orElse(SQLITE_PREFIX + file);
  }

  /**
   * The directory of this node's own files: the SQLite database, and beside it the spool, queue,
   * quarantine and control socket (which stay on the node even when the state is shared).
   */
  public Path directory() {
    return file.toAbsolutePath().getParent();
  }

  @Override
  public String toString() {
    return url();
  }
}
