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
   * {@code { pipe: [program, args...], timeout: 10m }}: a delivery agent run without a shell,
   * the message on its standard input.
   */
  record Pipe(List<String> argv, Duration timeout) implements DeliverConfig {
    public Pipe {
      argv = List.copyOf(argv);
    }
  }
}
