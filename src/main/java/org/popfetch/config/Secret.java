package org.popfetch.config;

import java.nio.file.Path;
import java.util.List;

/** Where a secret comes from. {@link #toString()} never shows a secret's value. */
public sealed interface Secret {
  /** Written in the config file itself (which must then not be readable by others). */
  record Literal(String value) implements Secret {
    @Override
    public String toString() {
      return "Literal[****]";
    }
  }

  /** {@code { env: NAME }}: an environment variable. */
  record FromEnv(String variable) implements Secret {}

  /** {@code { file: /path }}: the first line of a file that only its owner can read. */
  record FromFile(Path file) implements Secret {}

  /** {@code { command: [argv...] }}: the first line a program prints (no shell). */
  record FromCommand(List<String> argv) implements Secret {
    public FromCommand {
      argv = List.copyOf(argv);
    }
  }
}
