package org.popfetch.app;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The words of {@code popfetch poll ...}, parsed without reading {@link PollCommand}'s annotations:
 * its options and parameter built in code, bound to a new command's fields.
 *
 * <p>picocli builds its model of an annotated command by reflection, and the JDK makes a proxy
 * class for each annotation type it is asked for (picocli's {@code Command}, {@code Option}, {@code
 * Parameters}, {@code Mixin}, {@code Spec}, and three of the JDK's own), generating their bytecode
 * at every start: no Java 17 class-data archive holds such classes. That was a quarter of a
 * one-shot poll's CPU (docs/benchmarks.md, "Start-up"). The model here holds only what parsing
 * needs: the names, types, arities and defaults, no text. A command line that asks for help or the
 * version, or that does not parse, is handed back to the annotated model (see {@link
 * Main#commandLineFor}), so what the user reads (help, version, every usage error) still comes from
 * the annotations alone, as do the man page and the shell completion. {@code PollCommandLineTest}
 * holds the two models equal in what they accept and what they bind.
 */
final class PollCommandLine {
  private PollCommandLine() {}

  /**
   * The command line for {@code args} (which start with {@code poll}), or null if the annotated
   * model must answer them: a request for help or the version, or words that do not parse. The
   * words are parsed here and again when they run; neither parse reads anything but the words
   * ({@link Main#handled}: no {@code @file} of words).
   */
  static CommandLine forArgs(String... args) {
    CommandLine cli = build();
    try {
      CommandLine.ParseResult parsed = cli.parseArgs(args);
      for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
        if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
          return null;
        }
      }
    } catch (CommandLine.PicocliException e) {
      return null;
    }
    return cli;
  }

  /** The root and its one command, {@code poll}, bound to a new {@link PollCommand}. */
  static CommandLine build() {
    PollCommand command = new PollCommand();
    command.options = new CommonOptions();
    CommandSpec root = CommandSpec.wrapWithoutInspection(new RootCommand()).name("popfetch");
    addHelpOptions(root);
    CommandSpec poll = CommandSpec.wrapWithoutInspection(command).name("poll");
    addHelpOptions(poll);
    poll.addOption(
        OptionSpec.builder("-c", "--config")
            .paramLabel("FILE")
            .type(Path.class)
            .defaultValue(CommonOptions.DEFAULT_CONFIG.toString())
            .initialValue(CommonOptions.DEFAULT_CONFIG)
            .getter(new Field(command, Field.CONFIG))
            .setter(new Field(command, Field.CONFIG))
            .build());
    poll.addOption(
        OptionSpec.builder("--trace")
            .paramLabel("<trace>")
            .type(boolean.class)
            .initialValue(false)
            .getter(new Field(command, Field.TRACE))
            .setter(new Field(command, Field.TRACE))
            .build());
    poll.addOption(
        OptionSpec.builder("-q", "--quiet")
            .paramLabel("<quiet>")
            .type(boolean.class)
            .initialValue(false)
            .getter(new Field(command, Field.QUIET))
            .setter(new Field(command, Field.QUIET))
            .build());
    poll.addPositional(
        PositionalParamSpec.builder()
            .paramLabel("ACCOUNT")
            .arity("0..*")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .getter(new Field(command, Field.ACCOUNTS))
            .setter(new Field(command, Field.ACCOUNTS))
            .build());
    CommandLine cli = new CommandLine(root);
    cli.setExpandAtFiles(false); // as Main.handled sets every command line
    cli.addSubcommand("poll", poll);
    command.spec = poll;
    return cli;
  }

  /** What {@code mixinStandardHelpOptions} gives every command: marks, for the hand-back. */
  private static void addHelpOptions(CommandSpec spec) {
    spec.addOption(
        OptionSpec.builder("-h", "--help")
            .paramLabel("<helpRequested>")
            .type(boolean.class)
            .initialValue(false)
            .usageHelp(true)
            .build());
    spec.addOption(
        OptionSpec.builder("-V", "--version")
            .paramLabel("<versionRequested>")
            .type(boolean.class)
            .initialValue(false)
            .versionHelp(true)
            .build());
  }

  /**
   * One of the command's fields, read and written as picocli's injection into the annotated fields
   * does. A class rather than lambdas: a lambda's class is spun at run time at every start.
   */
  private static final class Field implements IGetter, ISetter {
    static final int CONFIG = 0;
    static final int TRACE = 1;
    static final int QUIET = 2;
    static final int ACCOUNTS = 3;

    private final PollCommand command;
    private final int which;

    Field(PollCommand command, int which) {
      this.command = command;
      this.which = which;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      Object value =
          switch (which) {
            case CONFIG -> command.options.config;
            case TRACE -> command.options.trace;
            case QUIET -> command.quiet;
            default -> command.accounts;
          };
      return (T) value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) {
      T old = get();
      switch (which) {
        case CONFIG -> command.options.config = (Path) value;
        case TRACE -> command.options.trace = (Boolean) value;
        case QUIET -> command.quiet = (Boolean) value;
        default -> command.accounts = (List<String>) value;
      }
      return old;
    }
  }
}
