package org.popfetch.cluster;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import org.popfetch.store.PostgresConnector;

/**
 * The configuration the cluster's schedules follow: one row holding its digest, when the file was
 * written, and which node moved the cluster to it. Every node reads the same YAML; the cluster
 * converges to the newest. A node that starts or reloads with a configuration newer than the row's
 * (by the file's modification time; the nodes' clocks are synchronised, as Quartz requires anyway)
 * and different from it takes the row and reschedules, while holding it; one with the row's
 * configuration does nothing; one with an older, different configuration changes nothing and says
 * so.
 */
public final class ClusterConfigRow {
  /** The row as it is now. */
  public record Current(String digest, Instant configTime, String node, Instant writtenAt) {}

  /** What {@link #converge} found. */
  public enum Outcome {
    /** This node's configuration is the cluster's already: nothing was done. */
    SAME,
    /** This node's configuration is newer: the schedules were reconciled to it. */
    APPLIED,
    /** The cluster follows a newer configuration than this node's: nothing was done. */
    OLDER
  }

  /** The rescheduling done while the row is held. */
  @FunctionalInterface
  public interface Reconcile {
    void run() throws Exception;
  }

  private final PostgresConnector connector;

  public ClusterConfigRow(PostgresConnector connector) {
    this.connector = connector;
  }

  /**
   * Moves the cluster to this node's configuration if it is the newest, running {@code reconcile}
   * while holding the row (so two nodes never reconcile at once), and writing the row only if it
   * succeeded.
   *
   * @throws IOException if the database cannot be reached or {@code reconcile} failed (the row is
   *     then unchanged, and the next start or reload tries again)
   */
  public Outcome converge(String digest, Instant configTime, String node, Reconcile reconcile)
      throws IOException {
    try (Connection db = connector.open("config")) {
      db.setAutoCommit(false);
      try (Statement s = db.createStatement()) {
        s.execute(
            "INSERT INTO popfetch_cluster_config (id, digest, written_at, config_time, node)"
                + " VALUES (1, '', 0, 0, '') ON CONFLICT (id) DO NOTHING");
      }
      Current row;
      try (Statement s = db.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT digest, config_time, node, written_at FROM popfetch_cluster_config"
                      + " WHERE id = 1 FOR UPDATE")) {
        rs.next();
        row = current(rs);
      }
      if (row.digest().equals(digest)) {
        db.rollback();
        return Outcome.SAME;
      }
      if (!row.digest().isEmpty() && configTime.isBefore(row.configTime())) {
        db.rollback();
        return Outcome.OLDER;
      }
      try {
        reconcile.run();
      } catch (Exception e) {
        db.rollback();
        throw new IOException("cannot reschedule the cluster: " + e.getMessage(), e);
      }
      try (PreparedStatement up =
          db.prepareStatement(
              "UPDATE popfetch_cluster_config SET digest = ?, written_at = ?, config_time = ?,"
                  + " node = ? WHERE id = 1")) {
        up.setString(1, digest);
        up.setLong(2, System.currentTimeMillis());
        up.setLong(3, configTime.toEpochMilli());
        up.setString(4, node);
        up.executeUpdate();
      }
      db.commit();
      return Outcome.APPLIED;
    } catch (SQLException e) {
      throw new IOException("cannot read the cluster's configuration: " + e.getMessage(), e);
    }
  }

  /** The row, if any node wrote it. */
  public Optional<Current> read() throws IOException {
    try (Connection db = connector.open("config");
        Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT digest, config_time, node, written_at FROM popfetch_cluster_config"
                    + " WHERE id = 1 AND digest <> ''")) {
      return rs.next() ? Optional.of(current(rs)) : Optional.empty();
    } catch (SQLException e) {
      throw new IOException("cannot read the cluster's configuration: " + e.getMessage(), e);
    }
  }

  private static Current current(ResultSet rs) throws SQLException {
    return new Current(
        rs.getString(1),
        Instant.ofEpochMilli(rs.getLong(2)),
        rs.getString(3),
        Instant.ofEpochMilli(rs.getLong(4)));
  }
}
