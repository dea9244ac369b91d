package org.popfetch.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * Connections to the shared PostgreSQL database, all set up alike: a connect timeout, a socket
 * timeout so that a call never hangs on a partition, TCP keepalives both ways (the server's are set
 * per session, so that it ends the session of a node it can no longer reach and frees that node's
 * leases), and {@code synchronous_commit = on} whatever the database's default says, since a commit
 * is what lets a message be deleted from its server.
 *
 * @param url "jdbc:postgresql://host[:port]/database"
 * @param user the role, or the driver's default when empty
 * @param password where the role's password comes from, asked at each new connection (of a pool as
 *     well as a lease's), so that a password rotated in its secret file, command or variable takes
 *     effect without a restart
 * @param node this node's name, shown in {@code pg_stat_activity} as the application name
 */
public record PostgresConnector(String url, Optional<String> user, Password password, String node) {
  /** The role's password as it is now, read afresh for each connection. */
  @FunctionalInterface
  public interface Password {
    /** No password: trust or peer authentication. */
    Password NONE = Optional::empty;

    /**
     * The password now; empty for trust or peer authentication.
     *
     * @throws IOException if it cannot be had, saying from where (never the value)
     */
    Optional<String> now() throws IOException;
  }

  /** A connector whose password never changes ({@code password} already resolved, or none). */
  public PostgresConnector(
      String url, Optional<String> user, Optional<String> password, String node) {
    this(url, user, fixed(password), node);
  }

  private static Password fixed(Optional<String> password) {
    return password.isEmpty() ? Password.NONE : () -> password;
  }

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
   * session: a pool would keep it after close). The password is asked for now.
   *
   * @param purpose a word for the application name, "lease" or "schema"
   * @throws SQLException with the server's or the driver's own words
   */
  public Connection open(String purpose) throws SQLException {
    Properties p = properties(purpose);
    try {
      password.now().ifPresent(pw -> p.setProperty("password", pw));
    } catch (IOException e) {
      // 28P01, invalid_password: what the server would say of a wrong one.
      throw new SQLException(e.getMessage(), "28P01", e);
    }
    Connection c = new Driver().connect(url, p);
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

  /**
   * A pool of at most {@code size} connections set up as {@link #open}'s, each new one with the
   * password as it is when it is made.
   */
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

  /**
   * A pool as {@link #pool}'s, for a user outside this package (the clustered scheduler's); it is
   * {@link AutoCloseable}, and whoever is given it closes it.
   */
  public DataSource dataSource(String purpose, int size) {
    return pool(purpose, size);
  }

  Properties properties(String purpose) {
    Properties p = new Properties();
    user.ifPresent(u -> p.setProperty("user", u));
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
