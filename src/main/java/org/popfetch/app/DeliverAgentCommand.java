package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.popfetch.agent.AgentServer;
import org.popfetch.delivery.Identity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch deliver-agent}: delivers into the Maildirs and mboxes of the user it runs as, for
 * a popfetch service that runs as another user. Started by systemd on the first connection to
 * {@code popfetch-deliver@USER.socket}, which it finds on standard input; or on one stream with
 * {@code --stdio}. Refuses to run as root: its point is to have the user's rights and no more.
 */
@Command(
    name = "deliver-agent",
    hidden = true,
    description =
        "Deliver mail for the user this runs as, on the socket systemd passes"
            + " (popfetch-deliver@USER.socket) or on standard input and output (--stdio).")
final class DeliverAgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--idle-exit",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "Exit after this many seconds without a connection (default: ${DEFAULT-VALUE}).")
  int idleSeconds;

  @Option(names = "--stdio", description = "Serve one session on standard input and output.")
  boolean stdio;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (Identity.isRoot()) {
      err.println(
          "popfetch deliver-agent: refusing to run as root; it delivers as the user it runs as"
              + " (User= in popfetch-deliver@.service)");
      return ExitStatus.PERMISSIONS.code;
    }
    Channel inherited = stdio ? null : System.inheritedChannel();
    if (!stdio && inherited == null) {
      err.println(
          "popfetch deliver-agent: no socket on standard input; it is started by"
              + " popfetch-deliver@USER.socket (or give --stdio)");
      return ExitStatus.SYNTAX.code;
    }
    Path spool = Files.createTempDirectory("popfetch-agent-");
    try {
      AgentServer server =
          AgentServer.forMailboxes(
              spool, AccountWiring.localHost(), Duration.ofSeconds(Math.max(1, idleSeconds)));
      if (stdio) {
        server.serve(System.in, System.out);
      } else if (inherited instanceof ServerSocketChannel listener) {
        server.serve(listener);
      } else if (inherited instanceof SocketChannel connection) {
        server.serve(Channels.newInputStream(connection), Channels.newOutputStream(connection));
      } else {
        err.println("popfetch deliver-agent: standard input is not a stream socket");
        return ExitStatus.SYNTAX.code;
      }
      return 0;
    } finally {
      try (Stream<Path> files = Files.walk(spool)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
