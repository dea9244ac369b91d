package org.popfetch.app;

import java.util.Optional;
import java.util.Set;
import org.popfetch.store.SqliteSeenUidStore;

/**
 * Set-up a one-shot {@code poll} is sure to need and can do before it knows its configuration,
 * started on a thread of its own when the process starts, while the main thread builds the command
 * line (picocli reads the commands' annotations) and reads the configuration: the date formats the
 * SQLite driver builds for its first connection, whose parser's calendar enumerates the JDK's
 * locales. The driver keeps them for the process, so the store's opening finds them made (if it
 * comes while they are being made, it waits for the classes' set-up, and at worst makes the formats
 * a second time; the driver keeps one). On a machine with a second core the start of a poll takes
 * that much less time. A failure here is left for the main thread to meet and report where it
 * always has.
 *
 * <p>Not logging: SLF4J hands a thread that asks for a logger while another thread starts it a
 * stand-in logger rather than waiting, which {@link QuietLog}'s cast to logback's would fail on.
 */
final class StartupWarmUp {
  /** The commands that open the SQLite state store on every run. */
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
      SqliteSeenUidStore.prepareDriver();
    } catch (RuntimeException | LinkageError e) {
      // The main thread does the same work and says what failed.
    }
  }
}
