package org.popfetch.config;

import java.time.Duration;
import java.util.Optional;

/**
 * State shared by several popfetch nodes in one PostgreSQL database: the seen UIDs, the clustered
 * schedule, the per-account leases and the configuration digest.
 *
 * @param url a "jdbc:postgresql://host[:port]/database" URL, without credentials
 * @param user the role to log in as; the driver's default (the system user) when empty
 * @param password where the role's password comes from, resolved at each connection; none for
 *     trust or peer authentication
 * @param checkIn how often each node checks in ({@code cluster: { check-in: }}): a node silent for
 *     this long plus 7.5 s is taken for dead and its accounts polled by the others
 */
public record SharedState(
    String url, Optional<String> user, Optional<Secret> password, Duration checkIn) {
  /** How a PostgreSQL state URL starts. */
  public static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

  /** Quartz's default check-in interval; a node is taken for dead some 7.5 s after a missed one. */
  public static final Duration DEFAULT_CHECK_IN = Duration.ofMillis(7500);

  /** Shared state with the default check-in interval. */
  public SharedState(String url, Optional<String> user, Optional<Secret> password) {
    this(url, user, password, DEFAULT_CHECK_IN);
  }

  /** The same with {@code checkIn} as the nodes' check-in interval ({@code cluster.check-in}). */
  public SharedState withCheckIn(Duration checkIn) {
    return new SharedState(url, user, password, checkIn);
  }
}
