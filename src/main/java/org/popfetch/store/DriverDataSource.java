package org.popfetch.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A pool's source of new connections: {@link PostgresConnector#open}, nothing else. */
final class DriverDataSource implements DataSource {
  private final PostgresConnector connector;
  private final String purpose;

  DriverDataSource(PostgresConnector connector, String purpose) {
    this.connector = connector;
    this.purpose = purpose;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connector.open(purpose);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the credentials come from the configuration");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return PostgresConnector.CONNECT_TIMEOUT_SECONDS;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
