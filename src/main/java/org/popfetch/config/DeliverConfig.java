package org.popfetch.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Where an account's mail goes. */
public sealed interface DeliverConfig {
  /** {@code { maildir: /absolute/path }}. */
  record Maildir(Path path) implements DeliverConfig {}

  /** {@code { mbox: /absolute/path }}: mboxrd, locked with fcntl and a dotlock. */
  record Mbox(Path path) implements DeliverConfig {}

  /**
   * {@code { pipe: [program, args...], timeout: 10m, user: alice }}: a delivery agent run
   * without a shell, the message on its standard input.
   *
   * @param user run the program as this user (popfetch must run as root); empty: as popfetch
   * @param allowRoot run it as root when popfetch runs as root (for agents such as procmail -d
   *     that drop privileges themselves); refused otherwise
   */
  record Pipe(List<String> argv, Duration timeout, java.util.Optional<String> user, boolean allowRoot)
      implements DeliverConfig {
    public Pipe {
      argv = List.copyOf(argv);
    }

    public Pipe(List<String> argv, Duration timeout) {
      this(argv, timeout, java.util.Optional.empty(), false);
    }
  }
}
