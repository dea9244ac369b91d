package org.popfetch.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.popfetch.agent.AgentConnector;
import org.popfetch.agent.AgentDestination;
import org.popfetch.agent.ProcessConnector;
import org.popfetch.agent.UnixSocketConnector;
import org.popfetch.config.DeliverConfig;
import org.popfetch.delivery.Identity;
import org.popfetch.delivery.RoutedDestination;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;

/**
 * A Maildir or mbox with {@code user:}: written by that user's delivery agent. The agent is reached
 * at {@code /run/popfetch-deliver/USER.sock} (popfetch-deliver@USER.socket); popfetch run as root
 * without that socket starts the agent itself, as the user, for each batch.
 */
final class AgentWiring {
  private AgentWiring() {}

  static Destination maildir(DeliverConfig.Maildir m, Path spoolDir) throws DeliveryException {
    String user = m.user().orElseThrow();
    return AgentDestination.maildir(connector(user), user, m.path(), "", spoolDir);
  }

  static Destination mbox(DeliverConfig.Mbox m, Path spoolDir) throws DeliveryException {
    String user = m.user().orElseThrow();
    return AgentDestination.mbox(connector(user), user, m.path(), spoolDir);
  }

  /** Folders of a user's Maildir, written by the user's agent. */
  static RoutedDestination.FolderOpener folders(String user, Path spoolDir)
      throws DeliveryException {
    AgentConnector connector = connector(user);
    return (maildir, folder) ->
        AgentDestination.maildir(connector, user, maildir, folder, spoolDir);
  }

  private static AgentConnector connector(String user) throws DeliveryException {
    UnixSocketConnector socket =
        new UnixSocketConnector(UnixSocketConnector.DEFAULT_DIRECTORY, user);
    if (!Identity.isRoot() || Files.exists(socket.socket(), LinkOption.NOFOLLOW_LINKS)) {
      return socket;
    }
    try {
      return ProcessConnector.asUser(user, agentCommand());
    } catch (IOException e) {
      throw DeliveryException.rejected(
          "cannot deliver as " + user + ": " + e.getMessage() + "; the mail stays on the server",
          e);
    }
  }

  /** This same popfetch, as a one-session agent on standard input and output. */
  private static List<String> agentCommand() {
    List<String> c = new ArrayList<>();
    c.add(ProcessHandle.current().info().command().orElse("java"));
    c.addAll(
        List.of(
            "-XX:+UseSerialGC",
            "-Xss512k",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Xmx64m",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "deliver-agent",
            "--stdio"));
    return c;
  }
}
