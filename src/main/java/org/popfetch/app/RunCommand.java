package org.popfetch.app;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

  @Override
  public Integer call() throws Exception {
    PopfetchDaemon daemon;
    try {
      daemon = PopfetchDaemon.start(options.config, options.trace, spec.commandLine().getErr());
    } catch (AccountRun.Exit e) {
      return e.status;
    }
    // SIGHUP: read the configuration again; a broken one is rejected and the running one kept.
    sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> daemon.reload());
    if (!noWatch) {
      daemon.watchConfig(PopfetchDaemon.CONFIG_CHECK);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and SIGINT: finish what runs, start nothing new, release the state, exit 0.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  daemon.stop();
                  stopped.countDown();
                },
                "popfetch-stop"));
    stopped.await();
    return 0;
  }
}
