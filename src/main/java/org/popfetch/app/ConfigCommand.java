package org.popfetch.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.PopfetchConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code popfetch config check}: validates the configuration without any network traffic. */
@Command(
    name = "config",
    description = "Work with the configuration file.",
    subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      description =
          "Validate the configuration and resolve its secrets, then print each account as"
              + " popfetch reads it (defaults filled in, secrets hidden); no network traffic.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      AccountRun.Plan plan;
      try {
        plan = AccountRun.plan(options, List.of(), err);
      } catch (AccountRun.Exit e) {
        return e.status;
      }
      PopfetchConfig config = plan.config();
      out.printf("%s: OK, %d account(s)%n", config.source(), config.accounts().size());
      LocalDeliveryWarnings.of(config).forEach(w -> err.println("popfetch: " + w));
      err.flush();
      // As the file says it, defaults filled in: what popfetch will do, in the admin's words.
      out.println("accounts:");
      for (AccountConfig a : config.accounts()) {
        ConfigText.account(a, "  ").forEach(out::println);
      }
      out.flush();
      return 0;
    }
  }
}
