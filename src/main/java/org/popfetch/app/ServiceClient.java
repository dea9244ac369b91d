package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.control.ControlClient;
import org.popfetch.control.ControlRequest;
import org.popfetch.net.LogText;

/**
 * The command line's way to the running service: the control socket that the configuration names
 * ({@code control.socket}, else beside the state store), so {@code poll}, {@code queue flush},
 * {@code reload} and {@code status} reach the very service that reads the same file.
 */
final class ServiceClient {
  /** A poll or a queue run asked for may take long; the client stops waiting after this. */
  static final Duration LONG = Duration.ofHours(1);

  /** Reload waits for the polls in flight to finish; status answers at once. */
  static final Duration SHORT = Duration.ofMinutes(10);

  private ServiceClient() {}

  /**
   * Sends {@code request} to the service of the configuration {@code file}, printing its answer.
   *
   * @return the exit status the service gave, or empty if no service listens (the caller then does
   *     the work itself, or says that there is none)
   * @throws AccountRun.Exit after one line: the configuration cannot be read ({@link
   *     ExitStatus#SYNTAX}), the socket refuses this user ({@link ExitStatus#LOCKED}: a service
   *     runs, but not for them), or the answer broke off ({@link ExitStatus#INTERNAL})
   */
  static Optional<Integer> ask(
      Path file, ControlRequest request, Duration timeout, PrintWriter out, PrintWriter err)
      throws AccountRun.Exit {
    return askAt(socket(file, err), request, timeout, out, err);
  }

  /**
   * Sends {@code request} to the service listening on {@code socket}, as {@link #ask} does.
   *
   * @return the exit status the service gave, or empty if no service listens
   * @throws AccountRun.Exit as {@link #ask}
   */
  static Optional<Integer> askAt(
      Path socket, ControlRequest request, Duration timeout, PrintWriter out, PrintWriter err)
      throws AccountRun.Exit {
    try {
      return ControlClient.send(socket, request, timeout, out, err);
    } catch (ControlClient.BrokenReplyException e) {
      err.println("popfetch: " + socket + ": " + LogText.sanitize(e.getMessage()));
      err.flush();
      throw new AccountRun.Exit(ExitStatus.INTERNAL.code);
    } catch (IOException e) {
      err.println(
          "popfetch: a service runs but cannot be reached at "
              + socket
              + ": "
              + AccountRun.reason(e).toLowerCase(Locale.ROOT)
              + "; run this as root, or as a member of the service's group (popfetch)");
      err.flush();
      throw new AccountRun.Exit(ExitStatus.LOCKED.code);
    }
  }

  /**
   * The control socket a configuration names. Only the file's shape is checked here (not the modes
   * of files holding secrets): the service checks the rest itself.
   */
  static Path socket(Path file, PrintWriter err) throws AccountRun.Exit {
    try {
      return ConfigLoader.load(file, false).controlSocket();
    } catch (ConfigException e) {
      throw new AccountRun.Exit(AccountRun.failed(e, err));
    }
  }
}
