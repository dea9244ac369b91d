package org.popfetch.app;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.popfetch.cluster.ClusterConfigRow;
import org.popfetch.cluster.ClusterView;
import org.popfetch.net.LogText;

/**
 * The cluster in {@code popfetch status} and {@code popfetch cluster status}: this node, every node
 * with its last check-in and whether it keeps to it, and which node polls which account now. Node
 * names are read from the shared database, so they are escaped and cut like any text from a peer.
 */
final class ClusterText {
  /** Longer node names are cut: a host name is at most 253 characters, plus "-" and a PID. */
  static final int MAX_NAME = 80;

  private ClusterText() {}

  /**
   * The lines, in order: a heading naming this node (and a configuration that differs from the
   * cluster's), the nodes' table, the accounts' table.
   *
   * @param time how times are written (the service's zone)
   */
  static List<String> lines(
      String self, boolean mismatch, ClusterView.Snapshot snapshot, DateTimeFormatter time) {
    List<String> out = new ArrayList<>();
    out.add(
        "cluster: this node is "
            + name(self)
            + (mismatch ? "; its configuration DIFFERS from the cluster's (see the log)" : "")
            + (snapshot.at().equals(ClusterView.Snapshot.NONE.at())
                ? "; the cluster has not been read yet"
                : "; read at " + time.format(snapshot.at())));
    out.addAll(tables(Optional.of(self), snapshot, time));
    return out;
  }

  /**
   * The lines of {@code popfetch cluster status}, read from the database rather than from a node: a
   * heading, the configuration the cluster follows beside this file's, then the nodes' and the
   * accounts' tables.
   *
   * @param follows the configuration the cluster follows, if a node has written one
   * @param digest this file's digest
   */
  static List<String> overview(
      ClusterView.Snapshot snapshot,
      Optional<ClusterConfigRow.Current> follows,
      String digest,
      DateTimeFormatter time) {
    List<String> out = new ArrayList<>();
    out.add(
        "cluster: "
            + snapshot.nodes().size()
            + " node(s), "
            + snapshot.polling().size()
            + " account(s) of this file polled now; read at "
            + time.format(snapshot.at()));
    out.add(
        follows
            .map(
                row ->
                    "configuration: the cluster follows sha256 "
                        + shortDigest(row.digest())
                        + ", brought by "
                        + name(row.node())
                        + " at "
                        + time.format(row.writtenAt())
                        + (row.digest().equals(digest)
                            ? "; this file is the same"
                            : "; this file DIFFERS (sha256 " + shortDigest(digest) + ")"))
            .orElse("configuration: no node has brought one to the cluster yet"));
    out.addAll(tables(Optional.empty(), snapshot, time));
    return out;
  }

  /** The nodes' table, {@code self} marked with a star, then the accounts' table. */
  private static List<String> tables(
      Optional<String> self, ClusterView.Snapshot snapshot, DateTimeFormatter time) {
    List<String> out = new ArrayList<>();
    out.add(String.format("%-40s %-19s  %s", "NODE", "LAST CHECK-IN", "STATE"));
    for (ClusterView.Node n : snapshot.nodes()) {
      out.add(
          String.format(
              "%-40s %-19s  %s",
              name(n.name()) + (self.filter(n.name()::equals).isPresent() ? " *" : ""),
              time.format(n.lastCheckIn()),
              state(n, snapshot)));
    }
    out.add(String.format("%-20s %s", "ACCOUNT", "POLLED NOW BY"));
    snapshot
        .polling()
        .forEach((account, by) -> out.add(String.format("%-20s %s", account, name(by))));
    return out;
  }

  /** The first 12 hex digits, as the log shows a configuration's digest. */
  private static String shortDigest(String digest) {
    return LogText.sanitize(digest.substring(0, Math.min(12, digest.length())));
  }

  private static String state(ClusterView.Node n, ClusterView.Snapshot snapshot) {
    if (n.state() == ClusterView.State.CHECKED_IN) {
      return n.state().word();
    }
    long silent = Duration.between(n.lastCheckIn(), snapshot.at()).toSeconds();
    return n.state().word()
        + " (silent "
        + silent
        + " s, checks in every "
        + n.checkIn().toMillis() / 1000.0
        + " s"
        + (n.state() == ClusterView.State.DEAD ? "; the other nodes take over its accounts)" : ")");
  }

  private static String name(String node) {
    return LogText.sanitize(node, MAX_NAME);
  }
}
