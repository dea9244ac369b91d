package org.popfetch.config;

import java.util.Optional;

/**
 * State shared by several popfetch nodes in one PostgreSQL database: the seen UIDs, the clustered
 * schedule, the per-account leases and the configuration digest.
 *
 * @param url a "jdbc:postgresql://host[:port]/database" URL, without credentials
 * @param user the role to log in as; the driver's default (the system user) when empty
 * @param password where the role's password comes from, resolved at each connection; none for
 *     trust or peer authentication
 */
public record SharedState(String url, Optional<String> user, Optional<Secret> password) {
  /** How a PostgreSQL state URL starts. */
  public static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";
}
