package org.popfetch.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code popfetch}: the entry point. */
@Command(
    name = "popfetch",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Fetches mail from POP3 servers and delivers it, never losing a message.",
    subcommands = {PollCommand.class, RunCommand.class, StatusCommand.class, CheckCommand.class, ConfigCommand.class, QueueCommand.class, DemoCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit status, for tests and for {@link #main}. */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
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
