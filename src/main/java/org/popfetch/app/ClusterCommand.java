package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.cluster.ClusterConfigRow;
import org.popfetch.cluster.ClusterView;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.AccountKey;
import org.popfetch.net.LogText;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch cluster init} prepares the database several nodes share; {@code popfetch cluster
 * status} shows the cluster as that database sees it, from any machine with the configuration.
 */
@Command(
    name = "cluster",
    description = "Work with the PostgreSQL database several popfetch nodes share.",
    subcommands = {ClusterCommand.Init.class, ClusterCommand.Status.class})
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
        return notClustered(config, "needs no init", err);
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

  /** What a cluster command says of a configuration whose state is not a shared database. */
  private static int notClustered(PopfetchConfig config, String needs, PrintWriter err) {
    err.println(
        "popfetch: "
            + config.source()
            + ": state.url is not a shared database (jdbc:postgresql://...); a single node "
            + needs);
    err.flush();
    return ExitStatus.SYNTAX.code;
  }

  @Command(
      name = "status",
      description =
          "Show the cluster as its database sees it now: every node with its last check-in, which"
              + " node polls which account of this file, and whether this file is the"
              + " configuration the cluster follows. Needs no node running here.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        " 0:every node keeps to its check-ins and this file is the cluster's",
        " 1:no node runs, a node is late or taken for dead, or this file differs from the"
            + " cluster's",
        " 2:the database cannot be reached or read",
        " 5:the configuration is wrong or its state is not a shared database",
        "64:usage error"
      })
  static final class Status implements Callable<Integer> {
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      PopfetchConfig config;
      String digest;
      try {
        config = ConfigLoader.load(options.config, false);
        digest = ClusterNode.digest(config.source());
      } catch (ConfigException e) {
        return AccountRun.failed(e, err);
      } catch (IOException e) {
        err.println("popfetch: cannot read " + options.config + ": " + e.getMessage());
        err.flush();
        return ExitStatus.SYNTAX.code;
      }
      if (!config.state().clustered()) {
        return notClustered(config, "has no cluster to show; popfetch status shows the service");
      }
      Map<String, AccountKey> accounts = new LinkedHashMap<>();
      config.accounts().forEach(a -> accounts.put(a.name(), a.scope()));
      ClusterView.Snapshot snapshot;
      Optional<ClusterConfigRow.Current> follows;
      try {
        PostgresConnector connector =
            ClusterNode.connector(config.state().shared().get(), ClusterNode.nodeName());
        requireSchema(connector);
        snapshot =
            new ClusterView(connector, PostgresSchema.SCHEDULER_NAME, Clock.systemUTC())
                .read(accounts);
        follows = new ClusterConfigRow(connector).read();
      } catch (IOException e) {
        err.println("popfetch: " + config.stateUrl() + ": " + LogText.sanitize(e.getMessage()));
        err.flush();
        return ExitStatus.SOCKET.code;
      }
      ClusterText.overview(snapshot, follows, digest, TIME).forEach(out::println);
      out.flush();
      boolean healthy =
          !snapshot.nodes().isEmpty()
              && snapshot.nodes().stream().allMatch(n -> n.state() == ClusterView.State.CHECKED_IN)
              && follows.map(row -> row.digest().equals(digest)).orElse(true);
      return healthy ? 0 : 1;
    }

    private int notClustered(PopfetchConfig config, String needs) {
      return ClusterCommand.notClustered(config, needs, spec.commandLine().getErr());
    }

    /** An empty database has no cluster yet: says so, instead of naming a missing table. */
    private static void requireSchema(PostgresConnector connector) throws IOException {
      if (PostgresSchema.preparedVersion(connector) == 0) {
        throw new IOException("no cluster here yet: run popfetch cluster init, or start a node");
      }
    }
  }
}
