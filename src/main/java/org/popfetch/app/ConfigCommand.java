package org.popfetch.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
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
      description = "Validate the configuration and resolve its secrets; no network traffic.")
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
      for (AccountConfig a : config.accounts()) {
        out.printf(
            "  %-20s %s@%s:%d tls=%s %s -> %s%n",
            a.name(),
            a.user(),
            a.server(),
            a.port(),
            a.tls().name().toLowerCase(Locale.ROOT),
            a.keep() ? "keep" : "delete",
            a.deliver());
      }
      out.flush();
      return 0;
    }
  }
}
