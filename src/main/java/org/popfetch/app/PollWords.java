package org.popfetch.app;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The words a timer or cron gives {@code popfetch poll}, read without picocli: {@code poll}, then
 * account names and any of {@code -q} or {@code --quiet}, {@code --trace}, and {@code -c FILE},
 * {@code --config FILE} or {@code --config=FILE}, each at most once, in any order.
 *
 * <p>Setting picocli up (its converters, found by reflection; its parser; twice, to decide and then
 * to run) was the largest piece left on a one-shot poll's main thread before the configuration is
 * read (docs/benchmarks.md, "Start-up"). Any other word (help, the version, a cluster of short
 * options, {@code --}, an option given twice, one this reading does not know) leaves the whole
 * command line to picocli, which then says what it says for it. {@code PollWordsTest} holds that
 * whatever is read here binds what picocli's annotated model binds.
 */
final class PollWords {
  private PollWords() {}

  /** A command bound to {@code args}, or null if picocli must read them. */
  static PollCommand command(String... args) {
    if (args.length == 0 || !args[0].equals("poll")) {
      return null;
    }
    Path config = null;
    boolean quiet = false;
    boolean trace = false;
    List<String> accounts = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String word = args[i];
      switch (word) {
        case "-q", "--quiet" -> {
          if (quiet) {
            return null;
          }
          quiet = true;
        }
        case "--trace" -> {
          if (trace) {
            return null;
          }
          trace = true;
        }
        case "-c", "--config" -> {
          if (config != null || ++i == args.length || (config = path(args[i])) == null) {
            return null;
          }
        }
        default -> {
          if (word.startsWith("--config=")) {
            if (config != null || (config = path(word.substring("--config=".length()))) == null) {
              return null;
            }
          } else if (word.startsWith("-") || word.isEmpty()) {
            return null;
          } else {
            accounts.add(word);
          }
        }
      }
    }
    PollCommand command = new PollCommand();
    command.options = new CommonOptions();
    if (config != null) {
      command.options.config = config;
    }
    command.options.trace = trace;
    command.quiet = quiet;
    command.accounts = accounts.isEmpty() ? null : accounts;
    command.out = writer(System.out, "sun.stdout.encoding");
    command.err = writer(System.err, "sun.stderr.encoding");
    return command;
  }

  /**
   * {@code stream} wrapped as picocli wraps it for a command: buffered, flushed at each line, in
   * the encoding the JVM names for it if any, else the default one.
   */
  private static PrintWriter writer(OutputStream stream, String encodingProperty) {
    Charset charset = Charset.defaultCharset();
    String name = System.getProperty(encodingProperty);
    if (name != null) {
      try {
        charset = Charset.forName(name);
      } catch (IllegalArgumentException e) {
        // An encoding this Java does not have: the default, as picocli falls back.
      }
    }
    return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
  }

  /** The file a word names, or null for a word picocli would read otherwise or refuse. */
  private static Path path(String word) {
    if (word.isEmpty() || word.startsWith("-")) {
      return null;
    }
    try {
      return Path.of(word);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
