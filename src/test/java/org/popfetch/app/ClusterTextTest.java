package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.popfetch.cluster.ClusterView;
import org.popfetch.cluster.ClusterView.Node;
import org.popfetch.cluster.ClusterView.State;

/** The cluster part of {@code popfetch status}, line by line. */
class ClusterTextTest {
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  static final Instant AT = Instant.parse("2026-12-01T10:00:30Z");
  static final Duration CHECK_IN = Duration.ofMillis(7500);

  @Test
  void theNodesTheirCheckInsAndWhoPollsWhatAreShown() {
    Map<String, String> polling = new LinkedHashMap<>();
    polling.put("alice", "mx2-200");
    polling.put("bob", "mx1-100");
    ClusterView.Snapshot s =
        new ClusterView.Snapshot(
            AT,
            List.of(
                new Node("mx1-100", AT.minusSeconds(2), CHECK_IN, State.CHECKED_IN),
                new Node("mx2-200", AT.minusSeconds(12), CHECK_IN, State.LATE),
                new Node("mx3-300", AT.minusSeconds(30), CHECK_IN, State.DEAD)),
            polling);

    List<String> lines = ClusterText.lines("mx1-100", false, s, TIME);

    assertThat(lines)
        .containsExactly(
            "cluster: this node is mx1-100; read at 2026-12-01 10:00:30",
            "NODE                                     LAST CHECK-IN        STATE",
            "mx1-100 *                                2026-12-01 10:00:28  checked in",
            "mx2-200                                  2026-12-01 10:00:18  late (silent 12 s,"
                + " checks in every 7.5 s)",
            "mx3-300                                  2026-12-01 10:00:00  dead (silent 30 s,"
                + " checks in every 7.5 s; the other nodes take over its accounts)",
            "ACCOUNT              POLLED NOW BY",
            "alice                mx2-200",
            "bob                  mx1-100");
  }

  @Test
  void aConfigurationThatDiffersAndAClusterNotReadYetAreSaid() {
    assertThat(ClusterText.lines("mx1-100", true, ClusterView.Snapshot.NONE, TIME))
        .first()
        .isEqualTo(
            "cluster: this node is mx1-100; its configuration DIFFERS from the cluster's (see the"
                + " log); the cluster has not been read yet");
  }

  @Test
  void aNodeNameFromTheDatabaseIsEscapedAndCut() {
    String hostile = "mx\u001b]0;owned\u0007" + "y".repeat(200);
    ClusterView.Snapshot s =
        new ClusterView.Snapshot(
            AT, List.of(new Node(hostile, AT, CHECK_IN, State.CHECKED_IN)), Map.of("a", hostile));

    List<String> lines = ClusterText.lines("mx1-100", false, s, TIME);

    assertThat(String.join("\n", lines)).doesNotContain("\u001b").doesNotContain("\u0007");
    assertThat(lines.get(2)).startsWith("mx\\x1b]0;owned\\x07yyy").hasSizeLessThan(200);
    assertThat(lines.get(4)).startsWith("a                    mx\\x1b]0;owned\\x07");
  }
}
