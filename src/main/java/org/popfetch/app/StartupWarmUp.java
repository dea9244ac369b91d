package org.popfetch.app;

import java.util.Optional;
import java.util.Set;
import org.popfetch.store.SqliteSeenUidStore;
import org.slf4j.LoggerFactory;

/**
 * Set-up a one-shot {@code poll} is sure to need and can do before it knows its configuration,
 * started on a thread of its own when the process starts, while the main thread builds the command
 * line (picocli reads the commands' annotations): logback's configuration, and the SQLite driver's
 * date formats. Whichever thread comes second waits for the first (class initialisation and SLF4J's
 * start are each done once), so nothing runs twice and nothing is left half done; on a machine with
 * a second core the start of a poll takes that much less time. A failure here is left for the main
 * thread to meet and report where it always has.
 */
final class StartupWarmUp {
  /** The commands that log and open the SQLite state store on every run. */
  private static final Set<String> COMMANDS = Set.of("poll");

  private StartupWarmUp() {}

  /**
   * Starts the warm-up if {@code args} name a command that needs it.
   *
   * @return the thread started (a daemon: it never holds the process), if one was
   */
  static Optional<Thread> startFor(String... args) {
    if (args.length == 0 || !COMMANDS.contains(args[0])) {
      return Optional.empty();
    }
    Thread t = new Thread(StartupWarmUp::run, "popfetch-warm-up");
    t.setDaemon(true);
    t.start();
    return Optional.of(t);
  }

  private static void run() {
    try {
      LoggerFactory.getILoggerFactory();
      SqliteSeenUidStore.prepareDriver();
    } catch (RuntimeException | LinkageError e) {
      // The main thread does the same work and says what failed.
    }
  }
}
