package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Help, version and usage errors, on every command there is, as an admin types them. */
class CommandLineHelpTest {
  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // As main parses them: a named command alone, anything else with the whole command line.
    CommandLine cli = Main.commandLineFor(args);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(Main.execute(cli, args), out.toString(), err.toString());
  }

  /** Every command and subcommand, as the words that name it: [], [poll], [queue, flush], ... */
  static Stream<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), all);
    return all.stream();
  }

  private static void collect(CommandLine cli, List<String> path, List<List<String>> all) {
    all.add(List.copyOf(path));
    for (var e : cli.getSubcommands().entrySet()) {
      List<String> sub = new ArrayList<>(path);
      sub.add(e.getKey());
      collect(e.getValue(), sub, all);
    }
  }

  @ParameterizedTest(name = "popfetch {0} --help")
  @MethodSource("commands")
  void everyCommandAnswersHelpWithItsUsage(List<String> command) {
    List<String> args = new ArrayList<>(command);
    args.add("--help");
    Run run = popfetch(args.toArray(String[]::new));
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Usage: " + String.join(" ", prefixed(command)));
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest(name = "popfetch help {0}")
  @MethodSource("commands")
  void helpCommandShowsTheSameUsage(List<String> command) {
    if (command.isEmpty() || command.size() > 1) {
      return; // help takes one command word; "help queue" lists queue's own subcommands
    }
    Run run = popfetch("help", command.get(0));
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Usage: popfetch " + command.get(0));
  }

  private static List<String> prefixed(List<String> command) {
    List<String> words = new ArrayList<>();
    words.add("popfetch");
    words.addAll(command);
    return words;
  }

  @ParameterizedTest(name = "popfetch {0}: descriptions end their sentences")
  @MethodSource("commands")
  void noDescriptionLineBreaksASentence(List<String> command) {
    CommandSpec spec = spec(command);
    List<String> lines = new ArrayList<>(List.of(spec.usageMessage().description()));
    spec.options().forEach(o -> lines.addAll(List.of(o.description())));
    spec.positionalParameters().forEach(p -> lines.addAll(List.of(p.description())));
    for (String line : lines) {
      // Each element of a description is laid out as its own paragraph: one that stops
      // mid-sentence is a line broken by hand, where picocli wraps at the terminal's width.
      assertThat(line.strip()).as(command + ": " + line).matches("(?s).*[.:)]$");
    }
  }

  @ParameterizedTest(name = "popfetch {0}: wrapped at word boundaries")
  @MethodSource("commands")
  void usageFitsANarrowTerminalWithoutSplittingWords(List<String> command) {
    CommandSpec spec = spec(command);
    spec.usageMessage().autoWidth(false).width(60);
    String usage = spec.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (String line : usage.lines().toList()) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(60);
    }
    String flowed = usage.replaceAll("\\s+", " ");
    for (String text : spec.usageMessage().description()) {
      for (String word : text.split("\\s+")) {
        assertThat(flowed).as("word %s of %s", word, command).contains(word);
      }
    }
  }

  private static CommandSpec spec(List<String> command) {
    CommandLine cli = Main.commandLine();
    for (String word : command) {
      cli = cli.getSubcommands().get(word);
    }
    return cli.getCommandSpec();
  }

  @Test
  void versionNamesTheVersionAndTheCommit() {
    Run run = popfetch("--version");
    assertThat(run.status()).isZero();
    // The build writes both: this test runs on what Maven built, in a git work tree or not.
    assertThat(run.out().lines().findFirst().orElseThrow())
        .matches(
            "popfetch \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\((commit [0-9a-f]{7,40}(-dirty)?"
                + "|built outside a git work tree: commit unknown)\\)");
    assertThat(popfetch("poll", "--version").out()).isEqualTo(run.out());
  }

  @Test
  void versionSaysWhatItDoesNotKnow() {
    Properties version = new Properties();
    version.setProperty("version", "1.2.3");
    Properties commit = new Properties();
    assertThat(Main.Version.line(version, commit))
        .isEqualTo("popfetch 1.2.3 (built outside a git work tree: commit unknown)");
    commit.setProperty("commit", "0123456789ab");
    assertThat(Main.Version.line(version, commit))
        .isEqualTo("popfetch 1.2.3 (commit 0123456789ab)");
    assertThat(Main.Version.line(new Properties(), commit))
        .isEqualTo("popfetch (not built by Maven: version and commit unknown)");
  }

  @Test
  void anUnknownOptionIsAUsageErrorNotAConnectionFailure() {
    Run run = popfetch("poll", "--bogus");
    assertThat(run.status()).isEqualTo(64).isEqualTo(ExitStatus.USAGE.code);
    assertThat(run.err())
        .startsWith("popfetch: Unknown option: '--bogus'")
        .contains("Try 'popfetch poll --help'");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithASuggestion() {
    Run run = popfetch("pol");
    assertThat(run.status()).isEqualTo(64);
    assertThat(run.err()).contains("'pol'").contains("poll").contains("Try 'popfetch --help'");
  }

  @Test
  void aMissingArgumentIsAUsageError() {
    Run run = popfetch("queue", "delete");
    assertThat(run.status()).isEqualTo(64);
    assertThat(run.err()).contains("Missing required parameter").contains("popfetch queue delete");
    Run config = popfetch("poll", "--config");
    assertThat(config.status()).isEqualTo(64);
    assertThat(config.err()).contains("Missing required parameter for option '--config'");
  }

  @Test
  void pollHelpListsEveryExitStatusItCanEndWith() {
    String help = popfetch("help", "poll").out();
    for (ExitStatus s : ExitStatus.values()) {
      assertThat(help).as(s.name()).containsPattern("(?m)^\\s+" + s.code + "\\s+\\S");
    }
  }
}
