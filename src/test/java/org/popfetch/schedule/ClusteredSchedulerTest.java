package org.popfetch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.popfetch.schedule.ClusteredScheduler.Spec;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import org.popfetch.testing.PostgresInstance;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.LoggerFactory;

/**
 * The clustered scheduler on a real PostgreSQL, several nodes in this JVM: a node sees what another
 * scheduled within a check-in, and a node frozen inside a transaction does not hold the others up.
 */
class ClusteredSchedulerTest {
  private static final Duration CHECK_IN = Duration.ofSeconds(1);
  private static final Pattern ACQUISITION =
      Pattern.compile("batch acquisition of (\\d+) triggers");

  static PostgresInstance postgres;

  private final List<ClusteredScheduler> nodes = new ArrayList<>();
  private final ListAppender<ILoggingEvent> quartzLog = new ListAppender<>();
  private final Logger schedulerThreadLog =
      (Logger) LoggerFactory.getLogger("org.quartz.core.QuartzSchedulerThread");
  private Level levelBefore;
  private String url;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresInstance.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void freshDatabase() throws Exception {
    url = postgres.createDatabase();
    PostgresSchema.prepare(
        new PostgresConnector(url, Optional.of(PostgresInstance.USER), Optional.empty(), "test"));
    // Quartz's scheduler thread says at DEBUG how many triggers each acquisition took.
    levelBefore = schedulerThreadLog.getLevel();
    schedulerThreadLog.setLevel(Level.DEBUG);
    quartzLog.start();
    schedulerThreadLog.addAppender(quartzLog);
  }

  @AfterEach
  void stopNodes() throws Exception {
    for (ClusteredScheduler n : nodes) {
      n.close();
    }
    schedulerThreadLog.detachAppender(quartzLog);
    schedulerThreadLog.setLevel(levelBefore);
  }

  private ClusteredScheduler node(String name, int threads) throws Exception {
    ClusteredScheduler n =
        new ClusteredScheduler(
            new ClusteredScheduler.Settings(
                url,
                Optional.of(PostgresInstance.USER),
                Optional.empty(),
                PostgresSchema.SCHEDULER_NAME,
                name,
                CHECK_IN,
                threads));
    nodes.add(n);
    return n;
  }

  /** How many triggers each of Quartz's acquisitions took, in order. */
  private List<Integer> acquisitions() {
    List<Integer> sizes = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(quartzLog.list)) {
      Matcher m = ACQUISITION.matcher(e.getFormattedMessage());
      if (m.matches()) {
        sizes.add(Integer.parseInt(m.group(1)));
      }
    }
    return sizes;
  }

  private String sql(String query) throws Exception {
    return postgres.psql(url.substring(url.lastIndexOf('/') + 1), query).strip();
  }

  @Test
  void reconcilingLeavesAnUnchangedScheduleAloneAndReplacesOrRemovesTheOthers() throws Exception {
    ClusteredScheduler n = node("n", 1);
    Map<String, Spec> first = new LinkedHashMap<>();
    first.put("same", Spec.every(Duration.ofSeconds(10)));
    first.put("changed", Spec.every(Duration.ofSeconds(10)));
    first.put("removed", Spec.cron("0 0 * * * ?"));
    assertThat(n.reconcile(first)).isEqualTo(3);
    String sameNext = sql("SELECT next_fire_time FROM qrtz_triggers WHERE trigger_name = 'same'");

    assertThat(
            n.reconcile(
                Map.of(
                    "same", Spec.every(Duration.ofSeconds(10)),
                    "changed", Spec.every(Duration.ofSeconds(20)))))
        .as("one changed, one removed")
        .isEqualTo(2);
    assertThat(sql("SELECT trigger_name FROM qrtz_triggers ORDER BY 1")).isEqualTo("changed\nsame");
    assertThat(sql("SELECT next_fire_time FROM qrtz_triggers WHERE trigger_name = 'same'"))
        .as("the unchanged account keeps its next time")
        .isEqualTo(sameNext);
    assertThat(
            sql(
                "SELECT repeat_interval FROM qrtz_simple_triggers WHERE trigger_name ="
                    + " 'changed'"))
        .isEqualTo("20000");
    assertThat(n.reconcile(Map.of("same", Spec.every(Duration.ofSeconds(10))))).isEqualTo(1);
  }

  @Test
  void aNodeThatFoundNothingToDoFiresWhatAnotherNodeScheduledWithinAboutACheckIn()
      throws Exception {
    ClusteredScheduler waiting = node("waiting", 2);
    CountDownLatch ran = new CountDownLatch(1);
    waiting.tasks(Map.of("a", ran::countDown));
    waiting.start();
    await("the node looked for triggers and found none")
        .atMost(Duration.ofSeconds(20))
        .until(() -> acquisitions().contains(0));

    // Another node, which runs nothing itself, schedules the account (as the node that brings a
    // new configuration does); Quartz tells only its own node.
    ClusteredScheduler scheduling = node("scheduling", 1);
    scheduling.reconcile(Map.of("a", Spec.every(Duration.ofSeconds(1))));

    // Due within a second of now (its first run comes after a random part of its interval).
    assertThat(ran.await(5, TimeUnit.SECONDS))
        .as("run by the node that was waiting, within its check-in of 1 s and the first interval")
        .isTrue();
  }

  @Test
  void aJobIsFiredOnScheduleWhileItsLastRunStillGoesSoTheLeaseDecidesWhetherItPolls()
      throws Exception {
    // Two nodes, so that the second firing has somewhere to run while the first one is blocked.
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch secondRun = new CountDownLatch(2);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Runnable task =
        () -> {
          mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
          secondRun.countDown();
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            running.decrementAndGet();
          }
        };
    for (String name : List.of("one", "two")) {
      ClusteredScheduler n = node(name, 2);
      n.tasks(Map.of("a", task));
      n.start();
    }
    nodes.get(0).reconcile(Map.of("a", Spec.every(Duration.ofSeconds(1))));
    try {
      assertThat(secondRun.await(15, TimeUnit.SECONDS))
          .as("a second run began while the first was still going")
          .isTrue();
      assertThat(mostAtOnce.get()).isGreaterThanOrEqualTo(2);
    } finally {
      release.countDown();
    }
  }

  @Test
  void aNodeFrozenInsideATransactionOnTheTriggerLockHoldsTheOthersUpForSecondsOnly()
      throws Exception {
    // A node that holds the cluster's trigger lock and says nothing more, as a node stopped by
    // SIGSTOP (or a VM paused) in the middle of Quartz's acquisition would.
    ClusteredScheduler frozen = node("frozen", 1);
    Connection stalled = DBConnectionManager.getInstance().getConnection(frozen.dataSource());
    try {
      stalled.setAutoCommit(false);
      try (Statement s = stalled.createStatement()) {
        s.executeQuery("SELECT * FROM qrtz_locks WHERE lock_name = 'TRIGGER_ACCESS' FOR UPDATE")
            .close();
      }

      ClusteredScheduler n = node("n", 2);
      CountDownLatch ran = new CountDownLatch(1);
      n.tasks(Map.of("a", ran::countDown));
      n.start();
      CompletableFuture<Integer> scheduled =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return n.reconcile(Map.of("a", Spec.every(Duration.ofSeconds(1))));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });

      assertThat(ran.await(20, TimeUnit.SECONDS))
          .as("the other node scheduled and ran its job once the frozen one's session ended")
          .isTrue();
      assertThat(scheduled.get(1, TimeUnit.SECONDS)).isEqualTo(1);
      assertThatThrownBy(
              () -> {
                try (Statement s = stalled.createStatement()) {
                  s.execute("SELECT 1");
                }
              })
          .as("the frozen node's session was ended by the server")
          .isInstanceOf(SQLException.class);
    } finally {
      try {
        stalled.close();
      } catch (SQLException alreadyBroken) {
        // the pool drops a broken connection
      }
    }
  }
}
