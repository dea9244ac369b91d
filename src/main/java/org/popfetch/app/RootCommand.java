package org.popfetch.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code popfetch} itself, without its commands: its name, its help and version options, how its
 * help is laid out. {@link Main} adds the commands; a command line that names one is parsed by this
 * root with only that command added (see {@link Main#commandLineFor}), so that a one-shot {@code
 * popfetch poll} does not build the model of every other command first.
 */
@Command(
    name = "popfetch",
    // Inherited by every subcommand, to any depth, and so by those added later: --help and
    // --version everywhere, help wrapped to the terminal at word boundaries.
    scope = CommandLine.ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    usageHelpAutoWidth = true,
    description = "Fetches mail from POP3 servers and delivers it, never losing a message.")
class RootCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
