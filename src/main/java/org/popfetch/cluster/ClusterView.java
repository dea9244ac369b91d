package org.popfetch.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
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
 * state) and whether they keep to it, and which node holds which account's lease (the advisory
 * locks of the nodes' lease sessions, named by their application name).
 */
public final class ClusterView {
  /**
   * The grace Quartz adds to a node's check-in interval before it takes the node for dead and
   * recovers its jobs (JobStoreSupport's fixed 7.5 s).
   */
  public static final Duration QUARTZ_GRACE = Duration.ofMillis(7500);

  /** How a node keeps to its check-ins, as seen when the view was read. */
  public enum State {
    /** Checked in within its interval, or half an interval late at most. */
    CHECKED_IN,
    /**
     * Over half an interval late: frozen, cut off or overloaded, but not yet taken for dead; its
     * polls in flight hold their leases, and its accounts wait.
     */
    LATE,
    /**
     * Silent for longer than its interval plus Quartz's grace: the other nodes take over its jobs
     * (and, once they have, its row is gone).
     */
    DEAD;

    /** The word {@code status} shows. */
    public String word() {
      return switch (this) {
        case CHECKED_IN -> "checked in";
        case LATE -> "late";
        case DEAD -> "dead";
      };
    }
  }

  /** A node, when it last checked in, how often it should, and its state when read. */
  public record Node(String name, Instant lastCheckIn, Duration checkIn, State state) {
    /** A node's state at {@code now}: see {@link State}. */
    static State state(Instant lastCheckIn, Duration checkIn, Instant now) {
      Duration silent = Duration.between(lastCheckIn, now);
      if (silent.compareTo(checkIn.plus(QUARTZ_GRACE)) > 0) {
        return State.DEAD;
      }
      return silent.compareTo(checkIn.plus(checkIn.dividedBy(2))) > 0
          ? State.LATE
          : State.CHECKED_IN;
    }
  }

  /**
   * The nodes (by name), and the node polling each account now (by account name, in the order
   * asked; accounts not polled are absent), as read at {@code at}.
   */
  public record Snapshot(Instant at, List<Node> nodes, Map<String, String> polling) {
    /** Nothing read yet. */
    public static final Snapshot NONE = new Snapshot(Instant.EPOCH, List.of(), Map.of());
  }

  private static final String LEASE_APP = "popfetch lease ";

  /**
   * How long an application name PostgreSQL keeps (NAMEDATALEN - 1 bytes): a longer one is cut, and
   * a lease holder's node name with it.
   */
  static final int APPLICATION_NAME_BYTES = 63;

  private final PostgresConnector connector;
  private final String schedulerName;
  private final Clock clock;

  public ClusterView(PostgresConnector connector, String schedulerName, Clock clock) {
    this.connector = connector;
    this.schedulerName = schedulerName;
    this.clock = clock;
  }

  /**
   * Reads the nodes and the leases of {@code accounts} (by name).
   *
   * @throws IOException if the database cannot be reached
   */
  public Snapshot read(Map<String, AccountKey> accounts) throws IOException {
    try (Connection db = connector.open("status")) {
      Instant now = clock.instant();
      List<Node> nodes = new ArrayList<>();
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT instance_name, last_checkin_time, checkin_interval FROM qrtz_scheduler_state"
                  + " WHERE sched_name = ? ORDER BY instance_name")) {
        q.setString(1, schedulerName);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            Instant last = Instant.ofEpochMilli(rs.getLong(2));
            Duration checkIn = Duration.ofMillis(rs.getLong(3));
            nodes.add(new Node(rs.getString(1), last, checkIn, Node.state(last, checkIn, now)));
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
            holders.put(rs.getLong(1), holder(rs.getString(2), nodes));
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
      return new Snapshot(now, List.copyOf(nodes), polling);
    } catch (SQLException e) {
      throw new IOException("cannot read the cluster's state: " + e.getMessage(), e);
    }
  }

  /**
   * The node a lease session's application name names. PostgreSQL cuts application names at {@link
   * #APPLICATION_NAME_BYTES}, so a long node name (a long host name) arrives cut: it stands for the
   * one node whose name it begins, if there is exactly one.
   */
  static String holder(String applicationName, List<Node> nodes) {
    String named = applicationName.substring(LEASE_APP.length());
    if (applicationName.getBytes(StandardCharsets.UTF_8).length < APPLICATION_NAME_BYTES) {
      return named;
    }
    List<String> matching =
        nodes.stream().map(Node::name).filter(n -> n.startsWith(named)).distinct().toList();
    return matching.size() == 1 ? matching.get(0) : named;
  }
}
