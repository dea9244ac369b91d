package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@link PollCommandLine}, built in code, against the model picocli builds from {@link
 * PollCommand}'s annotations: the same options and parameters, the same words accepted, the same
 * values bound, and every request for help or the version and every usage error handed back to the
 * annotated model. An option added to the annotations and not here fails the first test.
 */
class PollCommandLineTest {
  /** The annotated model of {@code popfetch poll}, as {@link Main} built it for every command. */
  private static CommandLine annotated() {
    CommandLine cli = new CommandLine(new RootCommand());
    cli.addSubcommand(PollCommand.class);
    return cli;
  }

  private static CommandSpec pollOf(CommandLine cli) {
    return cli.getSubcommands().get("poll").getCommandSpec();
  }

  /** What parsing depends on, for each option and parameter, keyed by its names or index. */
  private static Map<String, String> shape(CommandSpec spec) {
    Map<String, String> out = new TreeMap<>();
    for (OptionSpec o : spec.options()) {
      out.put(
          String.join(",", o.names()),
          common(o)
              + " usageHelp="
              + o.usageHelp()
              + " versionHelp="
              + o.versionHelp()
              + " negatable="
              + o.negatable()
              + " help="
              + o.help()
              + " order="
              + o.order());
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      out.put("#" + p.index(), common(p));
    }
    return out;
  }

  private static String common(ArgSpec a) {
    return "arity="
        + a.arity()
        + " type="
        + a.type().getName()
        + " aux="
        + Stream.of(a.auxiliaryTypes()).map(Class::getName).toList()
        + " label="
        + a.paramLabel()
        + " default="
        + a.defaultValue()
        + " initial="
        + a.initialValue()
        + " required="
        + a.required()
        + " split="
        + a.splitRegex()
        + " interactive="
        + a.interactive()
        + " inherited="
        + a.inherited()
        + " converters="
        + a.converters().length;
  }

  @Test
  void theModelBuiltInCodeHasTheAnnotatedOptionsAndParameters() {
    assertThat(shape(pollOf(PollCommandLine.build()))).isEqualTo(shape(pollOf(annotated())));
    // The root's own options: those the one-shot poll's root gets from the annotations too.
    assertThat(PollCommandLine.build().getCommandSpec().optionsMap().keySet())
        .isEqualTo(annotated().getCommandSpec().optionsMap().keySet());
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of((Object) new String[] {"poll"}),
        Arguments.of((Object) new String[] {"poll", "alice", "bob"}),
        Arguments.of((Object) new String[] {"poll", "-q"}),
        Arguments.of((Object) new String[] {"poll", "--quiet", "--trace", "-c", "/x.yaml", "a"}),
        Arguments.of((Object) new String[] {"poll", "--config=/y.yaml"}),
        Arguments.of((Object) new String[] {"poll", "-c/z.yaml", "b"}),
        Arguments.of((Object) new String[] {"poll", "-qc", "/q.yaml"}),
        Arguments.of((Object) new String[] {"poll", "a", "--trace", "b"}),
        Arguments.of((Object) new String[] {"poll", "--", "-q", "--trace"}));
  }

  /** The values a parse leaves in the command's fields. */
  private static List<Object> bound(PollCommand c) {
    List<Object> out = new ArrayList<>();
    out.add(c.options.config);
    out.add(c.options.trace);
    out.add(c.quiet);
    out.add(c.accounts);
    out.add(c.spec != null);
    return out;
  }

  @ParameterizedTest
  @MethodSource("accepted")
  void wordsThatParseBindWhatTheAnnotatedModelBinds(String[] args) {
    CommandLine annotated = annotated();
    CommandLine.ParseResult expected = annotated.parseArgs(args);
    PollCommand fromAnnotations = expected.subcommand().commandSpec().commandLine().getCommand();

    CommandLine built = PollCommandLine.forArgs(args);
    assertThat(built).as("handed back").isNotNull();
    // Parsed again when it runs (Main.execute): the second parse must bind the same.
    built.parseArgs(args);
    PollCommand fromCode = built.getSubcommands().get("poll").getCommand();

    assertThat(bound(fromCode)).isEqualTo(bound(fromAnnotations));
    assertThat(fromCode.spec).isSameAs(pollOf(built));
  }

  @ParameterizedTest
  @MethodSource("handedBack")
  void helpTheVersionAndUsageErrorsAreLeftToTheAnnotatedModel(String[] args) {
    assertThat(PollCommandLine.forArgs(args)).isNull();
  }

  static Stream<Arguments> handedBack() {
    return Stream.of(
        Arguments.of((Object) new String[] {"poll", "--help"}),
        Arguments.of((Object) new String[] {"poll", "-h"}),
        Arguments.of((Object) new String[] {"poll", "-qh"}),
        Arguments.of((Object) new String[] {"poll", "a", "--version"}),
        Arguments.of((Object) new String[] {"poll", "-V"}),
        Arguments.of((Object) new String[] {"poll", "--bogus"}),
        Arguments.of((Object) new String[] {"poll", "-c"}),
        Arguments.of((Object) new String[] {"poll", "--quiet=maybe"}),
        Arguments.of((Object) new String[] {"poll", "-c", "/a.yaml", "-c", "/b.yaml"}));
  }

  /**
   * A word starting with @ is a word, not a file of words to read (picocli's default): here a pipe,
   * which a read would wait on for a writer that never comes, and which would be empty at the
   * second of the fast path's two parses.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aWordStartingWithAnAtIsAWordNotAFileToRead(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("words");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path missing = dir.resolve("nowhere/popfetch.yaml");
    String[] args = {"poll", "-c", missing.toString(), "@" + fifo};

    CommandLine built = PollCommandLine.forArgs(args);
    assertThat(built).isNotNull();
    PollCommand command = built.getSubcommands().get("poll").getCommand();
    assertThat(command.accounts).containsExactly("@" + fifo);
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
}
