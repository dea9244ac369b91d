package org.popfetch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test PostgreSQL keeps its data and its port across a stop, a kill and a pause, refuses
 * clients while down, and lets nothing else take its port meanwhile.
 */
class PostgresInstanceTest {
  private static PostgresInstance pg;

  @BeforeAll
  static void start() throws IOException {
    pg = PostgresInstance.start();
  }

  @AfterAll
  static void close() throws IOException {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void servesTheDatabaseItCreatedOnLoopback() throws IOException {
    assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/popfetch");
    assertThat(pg.psql("select current_database(), current_user").strip())
        .isEqualTo("popfetch|postgres");
    assertThat(pg.psql("show fsync").strip()).isEqualTo("off");
    assertThat(pg.psql("show synchronous_commit").strip()).isEqualTo("on");
    assertThat(pg.psql("show listen_addresses").strip()).isEqualTo("127.0.0.1");
  }

  @Test
  void createsSeparateDatabases() throws Exception {
    String url = pg.createDatabase("separate_one");
    assertThat(url).endsWith(":" + pg.port() + "/separate_one");
    pg.psql("separate_one", "create table t(x int)");
    assertThatThrownBy(() -> pg.psql("select * from t")).hasMessageContaining("does not exist");
    String fresh = pg.createDatabase();
    assertThat(fresh).isNotEqualTo(pg.createDatabase()).startsWith(pg.url("test"));
    try (java.sql.Connection c = pg.connect(fresh)) {
      assertThat(c.isValid(5)).isTrue();
    }
    assertThatThrownBy(() -> pg.createDatabase("x; drop database popfetch"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keepsDataAndPortAcrossStopAndKill() throws IOException {
    pg.psql("create table kept(x int); insert into kept values (1)");
    long before = pg.pid();

    pg.stop();
    assertThat(pg.isRunning()).isFalse();
    assertRefusedAndHeld();
    pg.startAgain();
    assertThat(pg.psql("select x from kept").strip()).isEqualTo("1");

    pg.psql("insert into kept values (2)");
    long postmaster = pg.pid();
    List<ProcessHandle> backends = ProcessHandle.of(postmaster).orElseThrow().children().toList();
    pg.kill();
    assertThat(ProcessHandle.of(postmaster).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(backends).noneMatch(ProcessHandle::isAlive);
    assertRefusedAndHeld();
    pg.startAgain();
    // The second row was committed before the kill: a crash of PostgreSQL alone keeps it.
    assertThat(pg.psql("select string_agg(x::text, ',' order by x) from kept").strip())
        .isEqualTo("1,2");
    assertThat(pg.pid()).isNotIn(before, postmaster);
  }

  @Test
  void pauseRefusesClientsForItsLengthThenServesTheSameData() throws Exception {
    pg.psql("create table paused(x int); insert into paused values (7)");
    CompletableFuture<Void> pause =
        CompletableFuture.runAsync(
            () -> {
              try {
                pg.pause(Duration.ofSeconds(2));
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !pg.isRunning());
    assertThatThrownBy(() -> pg.psql("select 1")).isInstanceOf(IOException.class);
    pause.get(30, TimeUnit.SECONDS);
    assertThat(pg.psql("select x from paused").strip()).isEqualTo("7");
  }

  private static void assertRefusedAndHeld() throws IOException {
    assertThatThrownBy(
            () -> {
              try (Socket s = new Socket(InetAddress.getLoopbackAddress(), pg.port())) {
                // connected: the test fails below
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("refused");
    try (ServerSocket other = new ServerSocket()) {
      other.setReuseAddress(false);
      assertThatThrownBy(
              () -> other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), pg.port())))
          .isInstanceOf(IOException.class);
    }
  }
}
