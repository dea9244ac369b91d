package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A command line that names a command builds only that command's model, and parses, helps and errs
 * exactly as the whole command line does.
 */
class NamedCommandLineTest {
  /** The commands the whole command line has, by name, without "help". */
  static Stream<String> commands() {
    return Main.commandLine().getSubcommands().keySet().stream().filter(n -> !n.equals("help"));
  }

  @ParameterizedTest(name = "popfetch {0}")
  @MethodSource("commands")
  void aNamedCommandIsBuiltWithoutTheOthers(String command) {
    CommandLine cli = Main.commandLineFor(command, "--help");
    assertThat(cli.getSubcommands().keySet()).containsExactly(command);
  }

  @Test
  void eachOfMainsCommandsIsFoundByItsName() {
    Class<?>[] commands = Main.class.getAnnotation(Command.class).subcommands();
    for (Class<?> command : commands) {
      assertThat(Main.commandNamed(command.getAnnotation(Command.class).name())).isEqualTo(command);
    }
    assertThat(Main.commandNamed("help")).isNull();
    assertThat(Main.commandNamed("pol")).isNull();
  }

  /**
   * The other way round: the switch knows no command the root has not. A command taken out of the
   * root but left in the switch would still run when named; this list, the switch's, has to change
   * with the root's.
   */
  @Test
  void theSwitchNamesNoCommandTheRootHasNot() {
    List<String> switchNames =
        List.of(
            "poll",
            "run",
            "reload",
            "status",
            "check",
            "explain",
            "configure",
            "oauth",
            "config",
            "import",
            "cluster",
            "queue",
            "demo",
            "deliver-agent");
    List<String> rootNames =
        Arrays.stream(Main.class.getAnnotation(Command.class).subcommands())
            .map(c -> c.getAnnotation(Command.class).name())
            .toList();
    assertThat(rootNames).containsExactlyInAnyOrderElementsOf(switchNames);
    for (String name : switchNames) {
      assertThat(Main.commandNamed(name)).as(name).isNotNull();
    }
  }

  @ParameterizedTest(name = "popfetch {0}")
  @MethodSource("commands")
  void aNamedCommandHasTheSameOptionsHelpAndSubcommands(String command) {
    // Asked with --help, as help is: poll's usual words without it are read by hand (CommandWords,
    // held to the annotations by CommandWordsTest).
    Map<String, String> alone =
        usages(Main.commandLineFor(command, "--help").getSubcommands().get(command));
    Map<String, String> whole = usages(Main.commandLine().getSubcommands().get(command));
    assertThat(alone).isEqualTo(whole);
  }

  /** The usage message of {@code cli} and of each of its subcommands, by qualified name. */
  private static Map<String, String> usages(CommandLine cli) {
    Map<String, String> usages = new TreeMap<>();
    cli.getCommandSpec().usageMessage().autoWidth(false).width(100);
    usages.put(
        cli.getCommandSpec().qualifiedName(), cli.getUsageMessage(CommandLine.Help.Ansi.OFF));
    for (CommandLine sub : cli.getSubcommands().values()) {
      usages.putAll(usages(sub));
    }
    return usages;
  }

  @Test
  void anythingButACommandNameGetsTheWholeCommandLine() {
    Set<String> all = Main.commandLine().getSubcommands().keySet();
    for (String[] args :
        List.of(
            new String[0],
            new String[] {"--help"},
            new String[] {"--version"},
            new String[] {"help", "poll"},
            new String[] {"pol"},
            new String[] {"--config", "poll"})) {
      assertThat(Main.commandLineFor(args).getSubcommands().keySet())
          .as(List.of(args).toString())
          .isEqualTo(all);
    }
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(Main.execute(cli, args), out.toString(), err.toString());
  }

  @Test
  void aNamedCommandAnswersVersionAndUsageErrorsAsTheWholeDoes() {
    List<String[]> cases = new ArrayList<>();
    cases.add(new String[] {"poll", "--version"});
    cases.add(new String[] {"poll", "--bogus"});
    cases.add(new String[] {"poll", "--config"});
    cases.add(new String[] {"queue", "delete"});
    cases.add(new String[] {"config", "chek"});
    cases.add(new String[] {"queue", "--help"});
    for (String[] args : cases) {
      Run alone = popfetch(Main.commandLineFor(args), args);
      Run whole = popfetch(Main.commandLine(), args);
      assertThat(alone).as(List.of(args).toString()).isEqualTo(whole);
    }
  }
}
