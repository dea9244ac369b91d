package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.cluster.ClusterConfigRow;
import org.popfetch.config.Secret;
import org.popfetch.config.SharedState;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.metrics.PopfetchMetrics;
import org.popfetch.schedule.ClusteredScheduler;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSeenUidStore;
import org.popfetch.testing.PostgresInstance;

/**
 * A node of the cluster against a real PostgreSQL that asks a password of the role popfetch logs in
 * as: the password read from its secret file at each new connection, and what the node shows of the
 * cluster in its metrics and status.
 */
class ClusterNodeTest {
  static final AccountKey ALICE = AccountKey.of("pop.example.com", 995, "alice");
  static final String ROLE = "popfetch_node";

  static final String ALIVE_BYPASS = "com.zaxxer.hikari.aliveBypassWindowMs";

  static PostgresInstance postgres;
  static Path hbaDir;

  @TempDir Path dir;
  private String url;
  private Path passwordFile;

  @BeforeAll
  static void start() throws Exception {
    // A pooled connection is checked at each borrow, not only after half a second idle: the
    // sessions ended below are then replaced at the next use, not found broken by it.
    System.setProperty(ALIVE_BYPASS, "0");
    // The server reads this file as its own user: a directory and file anyone may read.
    hbaDir =
        Files.createTempDirectory(
            "popfetch-hba-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path hba = hbaDir.resolve("pg_hba.conf");
    Files.writeString(
        hba,
        """
        local all all trust
        host all postgres 127.0.0.1/32 trust
        host all all 127.0.0.1/32 scram-sha-256
        """);
    Files.setPosixFilePermissions(hba, PosixFilePermissions.fromString("rw-r--r--"));
    postgres = PostgresInstance.start(Map.of("hba_file", hba.toString()));
    postgres.psql("postgres", "CREATE ROLE " + ROLE + " LOGIN PASSWORD 'first-pw'");
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty(ALIVE_BYPASS);
    if (postgres != null) {
      postgres.close();
    }
    if (hbaDir != null) {
      Files.deleteIfExists(hbaDir.resolve("pg_hba.conf"));
      Files.deleteIfExists(hbaDir);
    }
  }

  private static int databases;

  @BeforeEach
  void database() throws Exception {
    String name = "node" + ++databases;
    postgres.psql("postgres", "ALTER ROLE " + ROLE + " PASSWORD 'first-pw'");
    postgres.psql("postgres", "CREATE DATABASE " + name + " OWNER " + ROLE);
    url = postgres.jdbcUrl(name);
    passwordFile = dir.resolve("db-password");
    Files.createFile(
        passwordFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(passwordFile, "first-pw\n");
  }

  private SharedState shared() {
    return new SharedState(url, Optional.of(ROLE), Optional.of(new Secret.FromFile(passwordFile)));
  }

  /** What an administrator does: a new password for the role, and the secret file to match. */
  private void rotate(String password) throws Exception {
    postgres.psql("postgres", "ALTER ROLE " + ROLE + " PASSWORD '" + password + "'");
    Files.writeString(passwordFile, password + "\n");
  }

  /** Ends every session of the role, so that each pool must connect anew. */
  private void endSessions() throws Exception {
    postgres.psql(
        "postgres",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'");
  }

  @Test
  void aRotatedPasswordIsReadFromItsFileAtTheNextConnection() throws Exception {
    PostgresConnector connector = ClusterNode.connector(shared(), "mx1-100");
    try (Connection first = connector.open("test")) {
      assertThat(first.isValid(5)).isTrue();
    }

    rotate("second-pw");

    try (Connection next = connector.open("test")) {
      assertThat(next.isValid(5)).isTrue();
    }
  }

  @Test
  void aPasswordThatCannotBeReadIsSaidWithItsKeyAndNeverItsValue() throws Exception {
    PostgresConnector connector = ClusterNode.connector(shared(), "mx1-100");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> connector.open("test"))
        .hasMessageStartingWith("state.password: " + passwordFile + ": mode 0644")
        .hasMessageNotContaining("first-pw");
  }

  @Test
  void theStoreTheSchedulerAndTheLeasesConnectAgainWithARotatedPassword() throws Exception {
    try (ClusterNode node = ClusterNode.join(shared(), 1)) {
      PostgresSeenUidStore store = node.store(2);
      try {
        assertThat(store.load(ALICE)).isEmpty();
        assertThat(
                node.scheduler.reconcile(
                    Map.of("alice", ClusteredScheduler.Spec.every(Duration.ofMinutes(5)))))
            .isEqualTo(1);

        rotate("second-pw");
        endSessions();

        assertThat(store.load(ALICE)).as("the store's pool").isEmpty();
        assertThat(node.scheduler.reconcile(Map.of())).as("the scheduler's pool").isEqualTo(1);
        try (Lease lease = node.leases.tryAcquire(ALICE).orElseThrow()) {
          lease.check();
        }
      } finally {
        store.close();
      }
    }
    // The scheduler's pool is the node's own: closed with it, no session left behind.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                postgres
                    .psql(
                        "postgres",
                        "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + ROLE + "'")
                    .strip()
                    .equals("0"));
  }

  @Test
  void aNodeShowsTheClusterAndAConfigurationOlderThanTheClustersInItsMetricsAndStatus()
      throws Exception {
    Path config = dir.resolve("popfetch.yaml");
    Files.writeString(config, "accounts: []\n");
    Files.setLastModifiedTime(config, FileTime.from(Instant.now().minusSeconds(3600)));
    try (ClusterNode node = ClusterNode.join(shared(), 1)) {
      PopfetchMetrics metrics = new PopfetchMetrics(Clock.systemUTC());
      node.metrics(metrics);
      // Another node brought a newer file to the cluster.
      new ClusterConfigRow(node.connector)
          .converge("a-newer-digest", Instant.now(), "mx9-900", () -> {});
      node.follow(config, Map.of(), Map.of());
      node.scheduler.start(); // its first check-in

      try (Lease lease = node.leases.tryAcquire(ALICE).orElseThrow()) {
        node.refresh(Map.of("alice", ALICE), metrics);

        assertThat(node.configMismatch()).isTrue();
        assertThat(metrics.scrape())
            .contains("popfetch_cluster_config_mismatch 1.0")
            .contains("popfetch_cluster_nodes 1.0")
            .contains("popfetch_cluster_leases_held 1.0")
            .contains("popfetch_cluster_node_checked_in{node=\"" + node.name + "\"} 1.0")
            .contains(
                "popfetch_cluster_account_polled_by{account=\"alice\",node=\""
                    + node.name
                    + "\"} 1.0")
            .contains("popfetch_cluster_node_last_checkin_seconds{node=\"" + node.name + "\"}");
        List<String> status =
            ClusterText.lines(
                node.name,
                node.configMismatch(),
                node.snapshot(),
                DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC));
        assertThat(status.get(0)).contains("DIFFERS from the cluster's");
        assertThat(status)
            .contains("alice                " + node.name)
            .anyMatch(l -> l.startsWith(node.name + " *") && l.endsWith("  checked in"));
      }
      node.refresh(Map.of("alice", ALICE), metrics);
      assertThat(metrics.scrape())
          .contains("popfetch_cluster_leases_held 0.0")
          .doesNotContain("popfetch_cluster_account_polled_by{");
    }
  }
}
