package org.popfetch.app;

import java.io.PrintWriter;
import java.util.Arrays;
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
@Command(
    name = "popfetch",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Fetches mail from POP3 servers and delivers it, never losing a message.",
    subcommands = {
      PollCommand.class,
      RunCommand.class,
      ReloadCommand.class,
      StatusCommand.class,
      CheckCommand.class,
      ConfigCommand.class,
      QueueCommand.class,
      DemoCommand.class,
      DeliverAgentCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit status, for tests and for {@link #main}. */
  public static int run(String... args) {
    return execute(commandLine(), args);
  }

  /** The command line, with unexpected exceptions turned into the internal-error status. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> internalError(e, commandLine.getErr(), traced(parsed)));
    return cli;
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

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"popfetch " + (v == null ? "(development build)" : v)};
    }
  }
}
