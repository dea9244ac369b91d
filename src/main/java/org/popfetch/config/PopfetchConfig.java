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
    Optional<HostPort> metricsListen) {
  public PopfetchConfig {
    accounts = List.copyOf(accounts);
  }

  /** The state store's URL as written, e.g. "jdbc:sqlite:/var/lib/popfetch/state.db". */
  public String stateUrl() {
    return state.url();
  }

  public Optional<AccountConfig> account(String name) {
    return accounts.stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
