package org.popfetch.config;

import java.nio.file.Path;

/** Where an account's mail goes. */
public sealed interface DeliverConfig {
  /** {@code { maildir: /absolute/path }}. */
  record Maildir(Path path) implements DeliverConfig {}
}
