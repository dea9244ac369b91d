package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code popfetch cluster init}: prepares the database several nodes share. */
@Command(
    name = "cluster",
    description = "Work with the PostgreSQL database several popfetch nodes share.",
    subcommands = ClusterCommand.Init.class)
final class ClusterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "init",
      description =
          "Create (or migrate) popfetch's and the clustered scheduler's tables in the database"
              + " state.url names. Safe to run again, and while nodes run; every node also does it"
              + " when it starts.")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      PopfetchConfig config;
      try {
        config = ConfigLoader.load(options.config);
      } catch (ConfigException e) {
        return AccountRun.failed(e, err);
      }
      if (!config.state().clustered()) {
        err.println(
            "popfetch: "
                + config.source()
                + ": state.url is not a shared database (jdbc:postgresql://...); a single node"
                + " needs no init");
        err.flush();
        return ExitStatus.SYNTAX.code;
      }
      try {
        PostgresConnector connector =
            ClusterNode.connector(config.state().shared().get(), ClusterNode.nodeName());
        PostgresSchema.Versions v = ClusterNode.prepare(connector);
        out.println(
            v.before() == v.after()
                ? config.stateUrl() + ": ready, schema version " + v.after() + " (nothing to do)"
                : config.stateUrl()
                    + ": ready, schema version "
                    + v.after()
                    + " (was "
                    + (v.before() == 0 ? "empty" : "version " + v.before())
                    + ")");
        out.flush();
        return 0;
      } catch (IOException e) {
        err.println("popfetch: " + e.getMessage());
        err.flush();
        return ExitStatus.INTERNAL.code;
      }
    }
  }
}
