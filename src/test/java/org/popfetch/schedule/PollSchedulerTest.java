package org.popfetch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One task's error, even an OutOfMemoryError, stalls neither its next run, another task, nor the stop. */
class PollSchedulerTest {
  @Test
  void aTaskThatThrowsAnErrorRunsAgainAndOthersKeepRunningAndStopCompletes() throws Exception {
    AtomicInteger failing = new AtomicInteger();
    AtomicInteger healthy = new AtomicInteger();
    PollScheduler scheduler = new PollScheduler(2);
    scheduler.schedule("exhausted", Optional.empty(), Duration.ofMillis(50), () -> {
      if (failing.incrementAndGet() <= 2) {
        throw new OutOfMemoryError("Java heap space");
      }
      throw new StackOverflowError();
    });
    scheduler.schedule("healthy", Optional.empty(), Duration.ofMillis(50), healthy::incrementAndGet);
    scheduler.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> failing.get() >= 4 && healthy.get() >= 4);

    CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> {
      try {
        scheduler.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    stop.get(10, TimeUnit.SECONDS);
    assertThat(stop).isDone();
  }
}
