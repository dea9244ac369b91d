package org.popfetch.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A whole configuration file.
 *
 * @param source the file it was read from
 * @param state where seen UIDs are kept
 * @param parallel at most this many accounts polled at once
 * @param perServer at most this many connections open to one server (host and port) at once
 * @param accounts in file order; names are unique
 * @param quarantine the Maildir that keeps messages no destination will ever take
 * @param queue the forwarding queue
 * @param authFailureNotice after this many refused logins in a row, the service tells the account's
 *     mailbox once (0: never)
 * @param metricsListen where {@code popfetch run} serves /metrics and /health
 * @param controlSocket where {@code popfetch run} takes commands ({@code poll}, {@code reload}...)
 *     and where the command line looks for it: {@code control.socket}, else {@value
 *     #CONTROL_SOCKET} beside the state store
 */
public record PopfetchConfig(
    Path source,
    StateLocation state,
    int parallel,
    int perServer,
    List<AccountConfig> accounts,
    Path quarantine,
    QueueConfig queue,
    int authFailureNotice,
    Optional<HostPort> metricsListen,
    Path controlSocket) {
  /** The control socket's name in the state directory unless {@code control.socket} says. */
  public static final String CONTROL_SOCKET = "control.sock";

  public PopfetchConfig {
    accounts = List.copyOf(accounts);
  }

  /** A configuration whose control socket is the default one beside the state store. */
  public PopfetchConfig(
      Path source,
      StateLocation state,
      int parallel,
      int perServer,
      List<AccountConfig> accounts,
      Path quarantine,
      QueueConfig queue,
      int authFailureNotice,
      Optional<HostPort> metricsListen) {
    this(
        source,
        state,
        parallel,
        perServer,
        accounts,
        quarantine,
        queue,
        authFailureNotice,
        metricsListen,
        state.directory().resolve(CONTROL_SOCKET));
  }

  /** The state store's URL as written, e.g. "jdbc:sqlite:/var/lib/popfetch/state.db". */
  public String stateUrl() {
    return state.url();
  }

  public Optional<AccountConfig> account(String name) {
    return accounts.stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
