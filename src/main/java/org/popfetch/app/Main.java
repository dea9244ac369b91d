package org.popfetch.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.popfetch.net.LogText;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code popfetch}: the entry point.
 *
 * <p>Whatever goes wrong inside a command ends it with one line on standard error and the
 * internal-error status (23), never with a Java stack trace and never with status 1, which means
 * "no new mail" and which a systemd timer counts as success. {@code --trace} adds the stack trace,
 * for a bug report.
 */
// The root's own attributes (name, help and version options) are RootCommand's; picocli reads
// the annotations of the class and its superclasses.
@Command(
    subcommands = {
      PollCommand.class,
      RunCommand.class,
      ReloadCommand.class,
      StatusCommand.class,
      CheckCommand.class,
      ExplainCommand.class,
      ConfigureCommand.class,
      OAuthCommand.class,
      ConfigCommand.class,
      ImportCommand.class,
      ClusterCommand.class,
      QueueCommand.class,
      DemoCommand.class,
      DeliverAgentCommand.class
    })
public final class Main extends RootCommand {

  public static void main(String[] args) {
    useLogProvider();
    System.exit(run(args));
  }

  /**
   * Names {@link LogProvider} as SLF4J's provider, unless the one who started us named another.
   * SLF4J says at INFO level which provider it was named: its own messages are kept to warnings and
   * errors (unless set otherwise), which is all it says when it finds logback by itself.
   */
  static void useLogProvider() {
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", LogProvider.class.getName());
      if (System.getProperty("slf4j.internal.verbosity") == null) {
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
  }

  /** Runs a command line and returns its exit status, for tests and for {@link #main}. */
  public static int run(String... args) {
    PollCommand poll = CommandWords.poll(args);
    if (poll != null) {
      return runPoll(poll);
    }
    RunCommand service = CommandWords.run(args);
    if (service != null) {
      return runByHand(service, service.err(), service.options.trace);
    }
    return execute(commandLineFor(args), args);
  }

  /** Runs a poll bound without picocli ({@link CommandWords}), as {@link #runByHand} says. */
  static int runPoll(PollCommand poll) {
    try {
      return runByHand(poll, poll.err(), poll.options.trace);
    } finally {
      poll.out().flush();
    }
  }

  /**
   * Runs a command bound without picocli ({@link CommandWords}): its exit status, or {@link
   * ExitStatus#INTERNAL} after one line on {@code err} for whatever it threw, as picocli's handler
   * would say it.
   */
  static int runByHand(Callable<Integer> command, PrintWriter err, boolean trace) {
    try {
      return command.call();
    } catch (Throwable e) {
      return internalError(e, err, trace);
    } finally {
      err.flush();
    }
  }

  /**
   * The command line to parse {@code args} with. When the first word names a command, only that
   * command (and its own subcommands) is added to the root: building picocli's model of every
   * command costs a one-shot {@code popfetch poll} more CPU than its start-up otherwise needs
   * (docs/benchmarks.md, "Start-up"). Anything else (no words, an option, {@code help}, a word that
   * names no command) gets the {@link #commandLine() whole command line}, which lists the commands
   * and suggests the one meant. Both parse a named command's words alike: its options, help and
   * errors come from the same annotations. The usual words of {@code poll} and {@code run} do not
   * come here at all ({@link CommandWords}).
   */
  static CommandLine commandLineFor(String... args) {
    Class<?> command = args.length > 0 ? commandNamed(args[0]) : null;
    if (command == null) {
      return commandLine();
    }
    CommandLine cli = new CommandLine(new RootCommand());
    cli.addSubcommand(command);
    return handled(cli);
  }

  /**
   * The command class that {@code name} names in {@link Main}'s subcommands, or null. A switch
   * rather than a walk over those classes' annotations, which loaded every command's class and
   * parsed its {@code @Command} at every start. {@code NamedCommandLineTest} holds the two equal.
   */
  static Class<?> commandNamed(String name) {
    return switch (name) {
      case "poll" -> PollCommand.class;
      case "run" -> RunCommand.class;
      case "reload" -> ReloadCommand.class;
      case "status" -> StatusCommand.class;
      case "check" -> CheckCommand.class;
      case "explain" -> ExplainCommand.class;
      case "configure" -> ConfigureCommand.class;
      case "oauth" -> OAuthCommand.class;
      case "config" -> ConfigCommand.class;
      case "import" -> ImportCommand.class;
      case "cluster" -> ClusterCommand.class;
      case "queue" -> QueueCommand.class;
      case "demo" -> DemoCommand.class;
      case "deliver-agent" -> DeliverAgentCommand.class;
      default -> null;
    };
  }

  /**
   * The command line: {@code popfetch help COMMAND}, usage errors answered with {@link
   * ExitStatus#USAGE}, unexpected exceptions with the internal-error status.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    CommandLine help = new CommandLine(new CommandLine.HelpCommand());
    // Said as the other commands say it: "Usage:" first, one paragraph.
    help.getCommandSpec()
        .usageMessage()
        .header(new String[0])
        .synopsisHeading("Usage: ")
        .description("Show how to use COMMAND, or popfetch itself without one.");
    cli.addSubcommand("help", help);
    return handled(cli);
  }

  /**
   * {@code cli} with the handlers of usage errors and unexpected exceptions, and without picocli's
   * {@code @file} expansion: a word is a word. picocli reads the words of a word starting with @
   * from that file by default; popfetch never offered it, and a file it could not read ended in a
   * stack trace and status 1 ("no new mail" to a timer). {@link CommandWords} takes such a word for
   * an account name too.
   */
  static CommandLine handled(CommandLine cli) {
    cli.setExpandAtFiles(false);
    // Set after the subcommands are added: picocli hands these on to them.
    cli.setParameterExceptionHandler(new UsageErrors());
    cli.setExecutionExceptionHandler(new InternalErrors());
    return cli;
  }

  // The two handlers are classes rather than lambdas: a lambda's class is spun at run time at
  // every start (the class-data archive did not hold these), with the method handles behind it.

  /** Usage errors: {@link #usageError}. */
  private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
      return usageError(e, args);
    }
  }

  /** Exceptions a command threw: {@link #internalError}, traced if the command line asked. */
  private static final class InternalErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
      return internalError(e, commandLine.getErr(), traced(parsed));
    }
  }

  /**
   * An unknown option, a missing argument, an unknown command: what was wrong and where to read
   * more, and the usage status, so that a typo in a cron line is not taken for a connection failure
   * (2) or "no new mail" (1).
   */
  static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("popfetch: " + LogText.sanitize(String.valueOf(e.getMessage())));
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more.");
    err.flush();
    return ExitStatus.USAGE.code;
  }

  /**
   * Runs {@code args} on {@code cli}: its exit status, or {@link ExitStatus#INTERNAL} after one
   * line if an error (out of memory, say) escaped picocli, which hands only exceptions to its
   * handler.
   */
  static int execute(CommandLine cli, String... args) {
    try {
      return cli.execute(args);
    } catch (Throwable e) {
      return internalError(e, cli.getErr(), Arrays.asList(args).contains("--trace"));
    }
  }

  private static boolean traced(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--trace")) {
        return true;
      }
    }
    return false;
  }

  /** One line for what should not have happened; the stack trace too with --trace. */
  static int internalError(Throwable e, PrintWriter err, boolean trace) {
    if (e instanceof OutOfMemoryError) {
      err.println(
          "popfetch: out of memory ("
              + LogText.sanitize(String.valueOf(e.getMessage()))
              + "); give Java more with -Xmx, or poll fewer accounts at once (parallel:)");
    } else {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      err.println(
          "popfetch: internal error: "
              + LogText.sanitize(cause.toString())
              + (trace ? "" : " (run with --trace for details, and please report it)"));
    }
    if (trace) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitStatus.INTERNAL.code;
  }

  /**
   * The version and the commit it was built from, both written into the jar by the build ({@code
   * version.properties}, filtered; {@code commit.properties}, from git). A build outside git says
   * so rather than guess; classes run outside any build say that.
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        line(resource("version.properties"), resource("commit.properties")),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }

    static String line(Properties version, Properties commit) {
      String v = version.getProperty("version");
      if (v == null || v.startsWith("${")) {
        return "popfetch (not built by Maven: version and commit unknown)";
      }
      String c = commit.getProperty("commit");
      return "popfetch "
          + v
          + (c == null || c.isBlank()
              ? " (built outside a git work tree: commit unknown)"
              : " (commit " + c + ")");
    }

    private static Properties resource(String name) {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream(name)) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        // An unreadable resource is no version: the line says unknown.
      }
      return p;
    }
  }
}
