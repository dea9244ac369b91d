package org.popfetch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One task's error, even an OutOfMemoryError, stalls neither its next run, another task, nor the
 * stop, and is logged in one line.
 */
class PollSchedulerTest {
  @Test
  void aTaskThatThrowsAnErrorRunsAgainAndOthersKeepRunningAndStopCompletes() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    AtomicInteger failing = new AtomicInteger();
    AtomicInteger healthy = new AtomicInteger();
    PollScheduler scheduler = new PollScheduler(2);
    scheduler.every(
        "exhausted",
        Duration.ofMillis(50),
        () -> {
          if (failing.incrementAndGet() <= 2) {
            throw new OutOfMemoryError("Java heap space");
          }
          throw new StackOverflowError();
        });
    scheduler.every("healthy", Duration.ofMillis(50), healthy::incrementAndGet);
    scheduler.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> failing.get() >= 4 && healthy.get() >= 4);

    CompletableFuture<Void> stop =
        CompletableFuture.runAsync(
            () -> {
              try {
                scheduler.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    stop.get(10, TimeUnit.SECONDS);
    assertThat(stop).isDone();
    root.detachAppender(logged);

    // One line a failed run, from popfetch, without a stack trace; nothing from Quartz.
    List<ILoggingEvent> errors =
        List.copyOf(logged.list).stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    assertThat(errors)
        .isNotEmpty()
        .allSatisfy(
            e -> {
              assertThat(e.getLoggerName()).isEqualTo(PollScheduler.class.getName());
              assertThat(e.getFormattedMessage()).startsWith("exhausted: run failed");
              assertThat(e.getThrowableProxy()).isNull();
            });
  }

  @Test
  void anAccountNamedLikeAServiceTaskRunsBesideIt() throws Exception {
    AtomicInteger account = new AtomicInteger();
    AtomicInteger service = new AtomicInteger();
    PollScheduler scheduler = new PollScheduler(2);
    scheduler.serviceTask("queue", Duration.ofMillis(50), service::incrementAndGet);
    scheduler.every("queue", Duration.ofMillis(50), account::incrementAndGet);
    scheduler.cron("popfetch-heartbeat", "* * * * * ?", account::incrementAndGet);
    scheduler.serviceTask("popfetch-heartbeat", Duration.ofMillis(50), service::incrementAndGet);
    scheduler.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> account.get() >= 3 && service.get() >= 3);
    } finally {
      scheduler.close();
    }
  }

  @Test
  void aCronTaskRunsAtTheTimesItsExpressionNames() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    PollScheduler scheduler = new PollScheduler(1);
    scheduler.cron("every-second", "* * * * * ?", runs::incrementAndGet);
    scheduler.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 2);
    } finally {
      scheduler.close();
    }
  }
}
