package org.popfetch.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Connections to the shared PostgreSQL database, all set up alike: a connect timeout, a socket
 * timeout so that a call never hangs on a partition, TCP keepalives both ways (the server's are
 * set per session, so that it ends the session of a node it can no longer reach and frees that
 * node's leases), and {@code synchronous_commit = on} whatever the database's default says, since
 * a commit is what lets a message be deleted from its server.
 *
 * @param url "jdbc:postgresql://host[:port]/database"
 * @param user the role, or the driver's default when empty
 * @param password the role's password, already resolved; none for trust or peer authentication
 * @param node this node's name, shown in {@code pg_stat_activity} as the application name
 */
public record PostgresConnector(
    String url, Optional<String> user, Optional<String> password, String node) {
  /** How long a connection attempt may take. */
  static final int CONNECT_TIMEOUT_SECONDS = 10;

  /** How long one statement's reply may take before the connection is given up as broken. */
  static final int SOCKET_TIMEOUT_SECONDS = 30;

  /**
   * What every session runs first. The keepalives end a vanished peer's session in about 5 + 3 x 2
   * = 11 s, so a lease held by a partitioned node is freed; a live but frozen process keeps its
   * connection (its kernel answers), and so its lease, which is what keeps a second poll out.
   */
  static final String SESSION_SETUP =
      "SET synchronous_commit = on; SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2;"
          + " SET tcp_keepalives_count = 3";

  /**
   * A connection of its own, not from a pool (a session-level advisory lock lives as long as its
   * session: a pool would keep it after close).
   *
   * @param purpose a word for the application name, "lease" or "schema"
   * @throws SQLException with the server's or the driver's own words
   */
  public Connection open(String purpose) throws SQLException {
    Connection c = new Driver().connect(url, properties(purpose));
    if (c == null) {
      throw new SQLException("the PostgreSQL driver refused " + url);
    }
    try (Statement s = c.createStatement()) {
      s.execute(SESSION_SETUP);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** A pool of at most {@code size} connections set up as {@link #open}'s. */
  public HikariDataSource pool(String purpose, int size) {
    HikariConfig h = new HikariConfig();
    h.setDataSource(new DriverDataSource(this, purpose));
    h.setPoolName("popfetch-" + purpose);
    h.setMaximumPoolSize(size);
    h.setMinimumIdle(1);
    h.setAutoCommit(false);
    h.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS * 1000L);
    // A database that is down at start is waited for, like one that goes down later.
    h.setInitializationFailTimeout(-1);
    return new HikariDataSource(h);
  }

  Properties properties(String purpose) {
    Properties p = new Properties();
    user.ifPresent(u -> p.setProperty("user", u));
    password.ifPresent(pw -> p.setProperty("password", pw));
    p.setProperty("ApplicationName", "popfetch " + purpose + " " + node);
    p.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
    p.setProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
    p.setProperty("tcpKeepAlive", "true");
    return p;
  }

  @Override
  public String toString() {
    return url; // never the password
  }
}
