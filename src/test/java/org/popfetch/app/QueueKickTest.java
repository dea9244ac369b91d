package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Requests for a queue run coalesce, and none made during a run is left for the schedule. */
class QueueKickTest {
  @Test
  void aRequestRunsTheQueueOnItsOwnThread() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    try (QueueKick kick =
        new QueueKick(
            () -> {
              runs.incrementAndGet();
              assertThat(Thread.currentThread().getName()).isEqualTo("popfetch-queue-kick");
              ran.countDown();
            })) {
      kick.request();
      assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runs).hasValue(1);
  }

  @Test
  void requestsMadeWhileARunGoesGetExactlyOneMoreRun() throws Exception {
    CountDownLatch inFirstRun = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    QueueKick kick =
        new QueueKick(
            () -> {
              if (runs.incrementAndGet() == 1) {
                inFirstRun.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    kick.request();
    assertThat(inFirstRun.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 5; i++) {
      kick.request(); // five polls queue mail while the first run delivers
    }
    release.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() == 2);
    kick.close(); // waits for any run still going or asked for
    assertThat(runs).as("the five requests were served by one run").hasValue(2);
  }

  @Test
  void aRequestAfterCloseIsRefusedQuietly() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    QueueKick kick = new QueueKick(runs::incrementAndGet);
    kick.close();

    kick.request();

    assertThat(runs).hasValue(0);
  }
}
