package org.popfetch.app;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The words a timer, cron or a unit gives {@code popfetch poll} or {@code popfetch run}, read
 * without picocli: the command's name, then any of {@code --trace} and {@code -c FILE}, {@code
 * --config FILE} or {@code --config=FILE}, and the command's own: for {@code poll} account names
 * and {@code -q} or {@code --quiet}, for {@code run} {@code --no-watch}; each option at most once,
 * in any order.
 *
 * <p>Setting picocli up (its converters, found by reflection; its parser; twice, to decide and then
 * to run) was the largest piece left on a one-shot poll's main thread before the configuration is
 * read (docs/benchmarks.md, "Start-up"). The service reads its words once, but picocli's classes
 * then stay in its memory for as long as it runs, some 170 of them in its class-data archive
 * (docs/benchmarks.md, "The running service"). Any other word (help, the version, a cluster of
 * short options, {@code --}, an option given twice, one this reading does not know) leaves the
 * whole command line to picocli, which then says what it says for it. {@code CommandWordsTest}
 * holds that whatever is read here binds what picocli's annotated model binds.
 */
final class CommandWords {
  private static final Map<String, String> POLL_FLAGS = Map.of("-q", "quiet", "--quiet", "quiet");
  private static final Map<String, String> RUN_FLAGS = Map.of("--no-watch", "no-watch");

  private CommandWords() {}

  /** What the words after a command's name bind. */
  private static final class Words {
    Path config;
    boolean trace;
    final Set<String> flags = new HashSet<>();
    final List<String> operands = new ArrayList<>();

    CommonOptions options() {
      CommonOptions options = new CommonOptions();
      if (config != null) {
        options.config = config;
      }
      options.trace = trace;
      return options;
    }
  }

  /** {@code poll} bound to {@code args}, or null if picocli must read them. */
  static PollCommand poll(String... args) {
    Words words = read("poll", args, POLL_FLAGS, true);
    if (words == null) {
      return null;
    }
    PollCommand command = new PollCommand();
    command.options = words.options();
    command.quiet = words.flags.contains("quiet");
    command.accounts = words.operands.isEmpty() ? null : words.operands;
    command.out = writer(System.out, "sun.stdout.encoding");
    command.err = writer(System.err, "sun.stderr.encoding");
    return command;
  }

  /** {@code run} bound to {@code args}, or null if picocli must read them. */
  static RunCommand run(String... args) {
    Words words = read("run", args, RUN_FLAGS, false);
    if (words == null) {
      return null;
    }
    RunCommand command = new RunCommand();
    command.options = words.options();
    command.noWatch = words.flags.contains("no-watch");
    command.err = writer(System.err, "sun.stderr.encoding");
    return command;
  }

  /**
   * The words of {@code args} after {@code name}, which must be its first: the shared options, the
   * command's own {@code flags} (each word mapped to the flag it sets), and operands if the command
   * {@code takesOperands}; null for anything else.
   */
  private static Words read(
      String name, String[] args, Map<String, String> flags, boolean takesOperands) {
    if (args.length == 0 || !args[0].equals(name)) {
      return null;
    }
    Words words = new Words();
    for (int i = 1; i < args.length; i++) {
      String word = args[i];
      String flag = flags.get(word);
      if (flag != null) {
        if (!words.flags.add(flag)) {
          return null;
        }
        continue;
      }
      switch (word) {
        case "--trace" -> {
          if (words.trace) {
            return null;
          }
          words.trace = true;
        }
        case "-c", "--config" -> {
          if (words.config != null
              || ++i == args.length
              || (words.config = path(args[i])) == null) {
            return null;
          }
        }
        default -> {
          if (word.startsWith("--config=")) {
            if (words.config != null
                || (words.config = path(word.substring("--config=".length()))) == null) {
              return null;
            }
          } else if (word.startsWith("-") || word.isEmpty() || !takesOperands) {
            return null;
          } else {
            words.operands.add(word);
          }
        }
      }
    }
    return words;
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
