package org.popfetch.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * The clustered job store's connections taken from a pool made outside Quartz, registered under a
 * name of its own with Quartz's connection manager (which is one per JVM, so each scheduler's name
 * differs), instead of a pool Quartz would make from a fixed URL, user and password.
 */
final class PooledConnections implements ConnectionProvider {
  private final DataSource pool;

  private PooledConnections(DataSource pool) {
    this.pool = pool;
  }

  /**
   * Makes the job store configured by {@code quartz} take its connections from {@code pool}, and
   * close it when the job store shuts down; {@code name} is the data source's name in {@code
   * quartz}, whose own pool settings are dropped.
   */
  static void use(DataSource pool, Properties quartz, String name) {
    String prefix = "org.quartz.dataSource." + name + ".";
    quartz.stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(quartz::remove);
    DBConnectionManager.getInstance().addConnectionProvider(name, new PooledConnections(pool));
    quartz.setProperty("org.quartz.jobStore.dataSource", name);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void shutdown() throws SQLException {
    if (pool instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (SQLException e) {
        throw e;
      } catch (Exception e) {
        throw new SQLException("cannot close the scheduler's pool: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void initialize() {
    // the pool is ready as given
  }
}
