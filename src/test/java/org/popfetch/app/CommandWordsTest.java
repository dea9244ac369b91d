package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@link CommandWords} against picocli's models of {@code poll} and {@code run}, built from {@link
 * PollCommand}'s and {@link RunCommand}'s annotations: every command line read by hand binds what
 * picocli binds, and everything else is left to picocli.
 */
class CommandWordsTest {
  /** The annotated model of {@code popfetch COMMAND}, as {@link Main} builds it. */
  private static CommandLine annotated(Class<?> command) {
    CommandLine cli = new CommandLine(new RootCommand());
    cli.addSubcommand(command);
    cli.setExpandAtFiles(false);
    return cli;
  }

  private static CommandLine annotated() {
    return annotated(PollCommand.class);
  }

  /** The values a parse leaves in the command's fields. */
  private static List<Object> bound(PollCommand c) {
    return Arrays.asList(c.options.config, c.options.trace, c.quiet, c.accounts);
  }

  private static List<Object> bound(RunCommand c) {
    return Arrays.asList(c.options.config, c.options.trace, c.noWatch);
  }

  /**
   * What picocli binds for {@code args}, or null if it refuses them or they ask for help or the
   * version.
   */
  private static List<Object> boundByPicocli(CommandLine cli, String[] args) {
    CommandLine.ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (CommandLine.PicocliException e) {
      return null;
    }
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
        return null;
      }
    }
    Object command = parsed.subcommand().commandSpec().commandLine().getCommand();
    return command instanceof RunCommand run ? bound(run) : bound((PollCommand) command);
  }

  static Stream<Arguments> read() {
    return Stream.of(
        Arguments.of((Object) new String[] {"poll"}),
        Arguments.of((Object) new String[] {"poll", "-q"}),
        Arguments.of((Object) new String[] {"poll", "--quiet", "alice", "bob"}),
        Arguments.of((Object) new String[] {"poll", "--config", "/etc/p.yaml", "--trace"}),
        Arguments.of((Object) new String[] {"poll", "alice", "-c", "/x.yaml", "-q", "bob"}),
        Arguments.of((Object) new String[] {"poll", "--config=/y.yaml"}),
        Arguments.of((Object) new String[] {"poll", "a=b", "@words"}));
  }

  @ParameterizedTest
  @MethodSource("read")
  void aCommandLineReadByHandBindsWhatPicocliBinds(String[] args) {
    PollCommand command = CommandWords.poll(args);
    assertThat(command).as("read by hand").isNotNull();
    assertThat(bound(command)).isEqualTo(boundByPicocli(annotated(), args));
    assertThat(command.out).isNotNull();
    assertThat(command.err).isNotNull();
  }

  static Stream<Arguments> leftToPicocli() {
    return Stream.of(
        Arguments.of((Object) new String[] {}),
        Arguments.of((Object) new String[] {"status"}),
        Arguments.of((Object) new String[] {"poll", "--help"}),
        Arguments.of((Object) new String[] {"poll", "-h"}),
        Arguments.of((Object) new String[] {"poll", "a", "--version"}),
        Arguments.of((Object) new String[] {"poll", "-qc", "/q.yaml"}),
        Arguments.of((Object) new String[] {"poll", "-c/z.yaml"}),
        Arguments.of((Object) new String[] {"poll", "--", "-q"}),
        Arguments.of((Object) new String[] {"poll", "-c"}),
        Arguments.of((Object) new String[] {"poll", "-c", "-q"}),
        Arguments.of((Object) new String[] {"poll", "--config="}),
        Arguments.of((Object) new String[] {"poll", "-q", "-q"}),
        Arguments.of((Object) new String[] {"poll", "-c", "/a.yaml", "--config=/b.yaml"}),
        Arguments.of((Object) new String[] {"poll", "--trace", "--trace"}),
        Arguments.of((Object) new String[] {"poll", "--bogus"}),
        Arguments.of((Object) new String[] {"poll", "-"}),
        Arguments.of((Object) new String[] {"poll", ""}));
  }

  @ParameterizedTest
  @MethodSource("leftToPicocli")
  void anythingElseIsLeftToPicocli(String[] args) {
    assertThat(CommandWords.poll(args)).isNull();
  }

  static Stream<Arguments> runRead() {
    return Stream.of(
        Arguments.of((Object) new String[] {"run"}),
        Arguments.of((Object) new String[] {"run", "--no-watch"}),
        Arguments.of((Object) new String[] {"run", "--config", "/etc/p.yaml", "--trace"}),
        Arguments.of((Object) new String[] {"run", "--trace", "-c", "/x.yaml", "--no-watch"}),
        Arguments.of((Object) new String[] {"run", "--config=/y.yaml"}));
  }

  @ParameterizedTest
  @MethodSource("runRead")
  void aServiceCommandLineReadByHandBindsWhatPicocliBinds(String[] args) {
    RunCommand command = CommandWords.run(args);
    assertThat(command).as("read by hand").isNotNull();
    assertThat(bound(command)).isEqualTo(boundByPicocli(annotated(RunCommand.class), args));
    assertThat(command.err).isNotNull();
    assertThat(CommandWords.poll(args)).as("not a poll").isNull();
  }

  static Stream<Arguments> runLeftToPicocli() {
    return Stream.of(
        Arguments.of((Object) new String[] {"run", "--help"}),
        Arguments.of((Object) new String[] {"run", "--version"}),
        Arguments.of((Object) new String[] {"run", "alice"}),
        Arguments.of((Object) new String[] {"run", "-q"}),
        Arguments.of((Object) new String[] {"run", "--no-watch", "--no-watch"}),
        Arguments.of((Object) new String[] {"run", "-c"}),
        Arguments.of((Object) new String[] {"run", "-c", ""}),
        Arguments.of((Object) new String[] {"run", "--", "--no-watch"}),
        Arguments.of((Object) new String[] {"poll"}),
        Arguments.of((Object) new String[] {"status"}));
  }

  @ParameterizedTest
  @MethodSource("runLeftToPicocli")
  void anyOtherServiceCommandLineIsLeftToPicocli(String[] args) {
    assertThat(CommandWords.run(args)).isNull();
  }

  /**
   * Every command line of up to four words after {@code poll} from a small vocabulary: whenever the
   * hand reads one, picocli accepts it too, asks for no help, and binds the same values.
   */
  @Test
  void everyShortCommandLineReadByHandIsReadAlikeByPicocli() {
    String[] vocabulary = {
      "-q",
      "--quiet",
      "--trace",
      "-c",
      "--config",
      "--config=/b.yaml",
      "/a.yaml",
      "alice",
      "-x",
      "--"
    };
    int readByHand = 0;
    CommandLine cli = annotated();
    for (String[] args : lines("poll", vocabulary)) {
      PollCommand command = CommandWords.poll(args);
      if (command != null) {
        readByHand++;
        assertThat(bound(command)).as(String.join(" ", args)).isEqualTo(boundByPicocli(cli, args));
      }
    }
    assertThat(readByHand).as("command lines read by hand").isGreaterThan(500);
  }

  /** The same for {@code run}'s words. */
  @Test
  void everyShortServiceCommandLineReadByHandIsReadAlikeByPicocli() {
    String[] vocabulary = {
      "--no-watch", "--trace", "-c", "--config", "--config=/b.yaml", "/a.yaml", "-q", "--"
    };
    int readByHand = 0;
    CommandLine cli = annotated(RunCommand.class);
    for (String[] args : lines("run", vocabulary)) {
      RunCommand command = CommandWords.run(args);
      if (command != null) {
        readByHand++;
        assertThat(bound(command)).as(String.join(" ", args)).isEqualTo(boundByPicocli(cli, args));
      }
    }
    assertThat(readByHand).as("command lines read by hand").isGreaterThan(30);
  }

  /** {@code command} followed by every sequence of up to four words of {@code vocabulary}. */
  private static List<String[]> lines(String command, String[] vocabulary) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {command});
    for (int length = 1; length <= 4; length++) {
      int[] at = new int[length];
      do {
        String[] args = new String[length + 1];
        args[0] = command;
        for (int i = 0; i < length; i++) {
          args[i + 1] = vocabulary[at[i]];
        }
        lines.add(args);
      } while (next(at, vocabulary.length));
    }
    int n = vocabulary.length;
    assertThat(lines).hasSize(1 + n + n * n + n * n * n + n * n * n * n);
    return lines;
  }

  /** The next combination, as an odometer turns; false once it has turned through all. */
  private static boolean next(int[] at, int base) {
    for (int i = at.length - 1; i >= 0; i--) {
      if (++at[i] < base) {
        return true;
      }
      at[i] = 0;
    }
    return false;
  }

  /**
   * A word starting with @ is a word, not a file of words to read (picocli's default), read by hand
   * or by picocli: here a pipe, which a read would wait on for a writer that never comes.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aWordStartingWithAnAtIsAWordNotAFileToRead(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("words");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path missing = dir.resolve("nowhere/popfetch.yaml");

    PollCommand byHand = CommandWords.poll("poll", "-c", missing.toString(), "@" + fifo);
    assertThat(byHand.accounts).containsExactly("@" + fifo);

    // A cluster of short options: picocli reads these words.
    String[] args = {"poll", "-qc", missing.toString(), "@" + fifo};
    assertThat(CommandWords.poll(args)).isNull();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLineFor(args);
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    assertThat(Main.execute(cli, args)).as(err.toString()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(err.toString()).contains(missing.toString()).doesNotContain("Exception");
  }

  @Test
  void anAtWordElsewhereIsAUsageErrorInOneLineNotAStackTrace() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLineFor("status", "@/etc");
    cli.setErr(new PrintWriter(err));
    assertThat(Main.execute(cli, "status", "@/etc")).isEqualTo(ExitStatus.USAGE.code);
    assertThat(err.toString()).contains("@/etc").doesNotContain("Exception");
  }

  @Test
  void aUsageErrorSaysWhatTheAnnotatedModelSays() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLineFor("poll", "--bogus");
    cli.setErr(new PrintWriter(err));
    assertThat(Main.execute(cli, "poll", "--bogus")).isEqualTo(ExitStatus.USAGE.code);
    assertThat(err.toString())
        .startsWith("popfetch: Unknown option: '--bogus'")
        .contains("Try 'popfetch poll --help' for more.");
  }

  @Test
  void helpIsTheAnnotatedCommandsHelp() {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLineFor("poll", "--help");
    cli.setOut(new PrintWriter(out));
    assertThat(Main.execute(cli, "poll", "--help")).isZero();
    assertThat(out.toString())
        .contains("Usage: popfetch poll")
        .contains("Fetch new mail from every account")
        .contains("--quiet")
        .contains("Exit status");
  }

  @Test
  void aPollReadByHandRunsAndSaysWhatIsWrongInOneLine(@TempDir Path dir) {
    Path missing = dir.resolve("nowhere/popfetch.yaml");
    PollCommand command = CommandWords.poll("poll", "-q", "--config", missing.toString());
    StringWriter err = new StringWriter();
    command.err = new PrintWriter(err);
    command.out = new PrintWriter(new StringWriter());

    assertThat(Main.runPoll(command)).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(err.toString()).contains(missing.toString()).doesNotContain("Exception");
  }

  @Test
  void whatAPollReadByHandThrowsIsAnInternalErrorInOneLine() {
    PollCommand command = CommandWords.poll("poll");
    StringWriter err = new StringWriter();
    command.err = new PrintWriter(err);
    command.out = new PrintWriter(new StringWriter());
    command.options.config = null; // a bug inside the command: no file where one must be

    assertThatCode(() -> assertThat(Main.runPoll(command)).isEqualTo(ExitStatus.INTERNAL.code))
        .doesNotThrowAnyException();
    assertThat(err.toString())
        .startsWith("popfetch: internal error: java.lang.NullPointerException")
        .contains("run with --trace")
        .doesNotContain("\tat ");
  }

  @Test
  void aServiceReadByHandSaysWhatIsWrongWithItsConfigurationInOneLine(@TempDir Path dir) {
    Path missing = dir.resolve("nowhere/popfetch.yaml");
    RunCommand command = CommandWords.run("run", "--no-watch", "--config", missing.toString());
    StringWriter err = new StringWriter();
    command.err = new PrintWriter(err);

    assertThat(Main.runByHand(command, command.err(), false)).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(err.toString()).contains(missing.toString()).doesNotContain("Exception");
  }

  @Test
  void whatAServiceReadByHandThrowsIsAnInternalErrorInOneLine() {
    RunCommand command = CommandWords.run("run");
    StringWriter err = new StringWriter();
    command.err = new PrintWriter(err);
    command.options.config = null; // a bug inside the command: no file where one must be

    assertThat(Main.runByHand(command, command.err(), false)).isEqualTo(ExitStatus.INTERNAL.code);
    assertThat(err.toString())
        .startsWith("popfetch: internal error: java.lang.NullPointerException")
        .doesNotContain("\tat ");
  }
}
