package org.popfetch.app;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.popfetch.cluster.ClusterView;
import org.popfetch.net.LogText;

/**
 * The cluster part of {@code popfetch status}: this node, every node with its last check-in and
 * whether it keeps to it, and which node polls which account now. Node names are read from the
 * shared database, so they are escaped and cut like any text from a peer.
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
    out.add(String.format("%-40s %-19s  %s", "NODE", "LAST CHECK-IN", "STATE"));
    for (ClusterView.Node n : snapshot.nodes()) {
      out.add(
          String.format(
              "%-40s %-19s  %s",
              name(n.name()) + (n.name().equals(self) ? " *" : ""),
              time.format(n.lastCheckIn()),
              state(n, snapshot)));
    }
    out.add(String.format("%-20s %s", "ACCOUNT", "POLLED NOW BY"));
    snapshot
        .polling()
        .forEach((account, by) -> out.add(String.format("%-20s %s", account, name(by))));
    return out;
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
