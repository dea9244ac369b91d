package org.popfetch.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.control.ControlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code popfetch reload}: the running service reads its configuration again, validated. */
@Command(
    name = "reload",
    description = {
      "Tell the running service to read its configuration again. A configuration that does not",
      "validate is refused (its FILE:LINE is printed) and the service runs on with the old one.",
      "Exit status: 0 reloaded, 5 refused, 2 no service answers, 8 the service cannot be reached",
      "by this user."
    })
final class ReloadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      Optional<Integer> status =
          ServiceClient.ask(
              options.config,
              ControlRequest.of("reload", List.of()),
              ServiceClient.SHORT,
              spec.commandLine().getOut(),
              err);
      if (status.isPresent()) {
        return status.get();
      }
      err.println(
          "popfetch: no service answers on "
              + ServiceClient.socket(options.config, err)
              + "; nothing to reload (start it with popfetch run, or systemctl start popfetch)");
      err.flush();
      return ExitStatus.SOCKET.code;
    } catch (AccountRun.Exit e) {
      return e.status;
    }
  }
}
