package org.popfetch.app;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code popfetch run}: the service, in the foreground (as systemd runs it). */
@Command(
    name = "run",
    description = "Run as a service: poll every account on its schedule until stopped (SIGTERM).")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  @Option(
      names = "--no-watch",
      description = "Reload on SIGHUP only, not when the configuration file changes.")
  boolean noWatch;

  /** Its standard error when bound without picocli ({@link CommandWords}). */
  PrintWriter err;

  /** Standard error: its own, or picocli's. */
  PrintWriter err() {
    return err != null ? err : spec.commandLine().getErr();
  }

  @Override
  public Integer call() throws Exception {
    PopfetchDaemon daemon;
    try {
      daemon = PopfetchDaemon.start(options.config, options.trace, err());
    } catch (AccountRun.Exit e) {
      return e.status;
    }
    // SIGHUP: read the configuration again; a broken one is rejected and the running one kept.
    // SIGTERM and SIGINT: finish what runs, start nothing new, release the state, exit 0.
    ServiceSignals signals = ServiceSignals.install(daemon);
    if (!noWatch) {
      daemon.watchConfig(PopfetchDaemon.CONFIG_CHECK);
    }
    signals.awaitStop();
    return 0;
  }
}
