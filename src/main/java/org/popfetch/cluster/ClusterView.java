package org.popfetch.cluster;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.popfetch.fetch.AccountKey;
import org.popfetch.store.PostgresConnector;

/**
 * The cluster as the database sees it now: the nodes with their last check-in (Quartz's scheduler
 * state), and which node holds which account's lease (the advisory locks of the nodes' lease
 * sessions, named by their application name).
 */
public final class ClusterView {
  /** A node and when it last checked in. */
  public record Node(String name, Instant lastCheckIn, long checkInMillis) {}

  /** The nodes, and the node polling each account now (accounts not polled are absent). */
  public record Snapshot(List<Node> nodes, Map<String, String> polling) {}

  private static final String LEASE_APP = "popfetch lease ";

  private final PostgresConnector connector;
  private final String schedulerName;

  public ClusterView(PostgresConnector connector, String schedulerName) {
    this.connector = connector;
    this.schedulerName = schedulerName;
  }

  /**
   * Reads the nodes and the leases of {@code accounts} (by name).
   *
   * @throws IOException if the database cannot be reached
   */
  public Snapshot read(Map<String, AccountKey> accounts) throws IOException {
    try (Connection db = connector.open("status")) {
      List<Node> nodes = new ArrayList<>();
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT instance_name, last_checkin_time, checkin_interval FROM qrtz_scheduler_state"
                  + " WHERE sched_name = ? ORDER BY instance_name")) {
        q.setString(1, schedulerName);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            nodes.add(new Node(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getLong(3)));
          }
        }
      }
      Map<Long, String> holders = new HashMap<>();
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT (l.classid::bigint << 32) | l.objid::bigint, a.application_name"
                  + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                  + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                  + " AND a.application_name LIKE 'popfetch lease %'")) {
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            holders.put(rs.getLong(1), rs.getString(2).substring(LEASE_APP.length()));
          }
        }
      }
      Map<String, String> polling = new LinkedHashMap<>();
      accounts.forEach(
          (name, key) -> {
            String node = holders.get(AdvisoryLeases.key(key));
            if (node != null) {
              polling.put(name, node);
            }
          });
      return new Snapshot(nodes, polling);
    } catch (SQLException e) {
      throw new IOException("cannot read the cluster's state: " + e.getMessage(), e);
    }
  }
}
