package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.Lease;
import org.popfetch.testing.PostgresInstance;
import picocli.CommandLine;

/**
 * {@code popfetch cluster status} against a real PostgreSQL: what the database says of the nodes,
 * of who polls which account, and of the configuration the cluster follows, with no node running on
 * the machine that asks.
 */
class ClusterStatusCommandTest {
  static PostgresInstance postgres;

  private static int databases;

  @TempDir Path dir;
  private Path config;
  private String database;

  private record Run(int status, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresInstance.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void configuration() throws Exception {
    config = dir.resolve("popfetch.yaml");
    database = "status" + ++databases;
    Files.writeString(config, yaml(postgres.createDatabase(database), "alice", "bob"));
  }

  private static String yaml(String url, String... users) {
    StringBuilder s =
        new StringBuilder(
            "state: { url: \"%s\", user: %s }\naccounts:\n".formatted(url, PostgresInstance.USER));
    for (String u : users) {
      s.append(
          """
            - name: %1$s
              server: 127.0.0.1
              tls: none
              user: %1$s
              password: pw-%1$s
              deliver: { smtp: { host: 127.0.0.1, port: 2424, lmtp: true, tls: none } }
          """
              .formatted(u));
    }
    return s.toString();
  }

  private Run status() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = Main.execute(cli, "cluster", "status", "--config", config.toString());
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void anEmptyDatabaseIsSaidToHoldNoClusterYet() {
    Run r = status();

    assertThat(r.status()).isEqualTo(ExitStatus.SOCKET.code);
    assertThat(r.err()).contains("no cluster here yet: run popfetch cluster init");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void showsTheRunningNodeTheAccountItPollsAndThatThisFileIsTheClusters() throws Exception {
    PopfetchConfig loaded = ConfigLoader.load(config, false);
    try (ClusterNode node = ClusterNode.join(loaded)) {
      node.follow(config, Map.of(), Map.of());
      node.scheduler.start(); // its first check-in
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> postgres.psql(database, "select count(*) from qrtz_scheduler_state").strip(),
              "1"::equals);
      try (Lease lease = node.leases.tryAcquire(loaded.accounts().get(0).scope()).orElseThrow()) {
        Run r = status();

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines())
            .anyMatch(l -> l.startsWith("cluster: 1 node(s), 1 account(s) of this file polled now"))
            .anyMatch(
                l -> l.contains("brought by " + node.name) && l.endsWith("this file is the same"))
            .anyMatch(l -> l.startsWith(node.name + " ") && l.endsWith("  checked in"))
            .contains(String.format("%-20s %s", "alice", node.name))
            .noneMatch(l -> l.startsWith("bob "));
      }
      assertThat(status().out().lines()).noneMatch(l -> l.startsWith("alice "));

      // The admin edits this machine's copy and not the others': the cluster still follows the
      // file the node brought.
      Files.writeString(config, Files.readString(config) + "# edited here only\n");
      Run differs = status();

      assertThat(differs.status()).isEqualTo(1);
      assertThat(differs.out()).contains("this file DIFFERS (sha256 ");
    }
  }

  @Test
  void aClusterWithNoNodeLeftIsNotHealthy() throws Exception {
    PopfetchConfig loaded = ConfigLoader.load(config, false);
    try (ClusterNode node = ClusterNode.join(loaded)) {
      node.follow(config, Map.of(), Map.of());
    }

    Run r = status();

    assertThat(r.status()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).startsWith("cluster: 0 node(s)");
  }

  @Test
  void aSingleNodeConfigurationHasNoClusterToShow() throws Exception {
    Files.writeString(
        config,
        yaml("jdbc:sqlite:" + dir.resolve("seen.db"), "alice")
            .replace(", user: " + PostgresInstance.USER, ""));

    Run r = status();

    assertThat(r.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(r.err())
        .contains("state.url is not a shared database")
        .contains("no cluster to show");
  }

  @Test
  void anUnreachableDatabaseIsNamedWithTheServersWords() throws Exception {
    Files.writeString(
        config, yaml("jdbc:postgresql://127.0.0.1:1/popfetch?connectTimeout=2", "alice"));

    Run r = status();

    assertThat(r.status()).isEqualTo(ExitStatus.SOCKET.code);
    assertThat(r.err()).contains("jdbc:postgresql://127.0.0.1:1/popfetch").contains("refused");
    assertThat(r.out()).isEmpty();
  }
}
