package org.popfetch.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that reads the configuration shares. */
final class CommonOptions {
  static final Path DEFAULT_CONFIG = Path.of("/etc/popfetch/popfetch.yaml");

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).",
      defaultValue = "/etc/popfetch/popfetch.yaml")
  Path config = DEFAULT_CONFIG;

  @Option(
      names = "--trace",
      description = "Log the POP3 conversation (passwords and tokens masked).")
  boolean trace;
}
