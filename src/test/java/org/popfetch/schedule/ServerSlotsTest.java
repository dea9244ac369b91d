package org.popfetch.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerSlotsTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(6);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void noMoreThanTheCapConnectToOneServerAndTheRestWaitTheirTurn() throws Exception {
    ServerSlots slots = new ServerSlots(2);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    List<Future<?>> polls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      polls.add(
          pool.submit(
              () -> {
                try (ServerSlots.Slot s =
                    slots.acquire("pop.example.com", 995, () -> false).orElseThrow()) {
                  most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                  release.await();
                  inside.decrementAndGet();
                }
                return null;
              }));
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> inside.get() == 2 && slots.waiting("pop.example.com", 995) == 3);
    assertThat(inside.get()).isEqualTo(2);
    release.countDown();
    for (Future<?> f : polls) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(most.get()).isEqualTo(2);
    assertThat(inside.get()).isZero();
  }

  @Test
  void anotherServerOrPortIsNotHeldUpAndCaseDoesNotSplitOneHost() throws Exception {
    ServerSlots slots = new ServerSlots(1);
    try (ServerSlots.Slot held = slots.acquire("POP.example.com", 995, () -> false).orElseThrow()) {
      // Giving up at the first wait: a slot comes back only if none had to be waited for.
      Optional<ServerSlots.Slot> other = slots.acquire("pop.example.org", 995, () -> true);
      Optional<ServerSlots.Slot> otherPort = slots.acquire("pop.example.com", 110, () -> true);
      assertThat(other).as("another host").isPresent();
      assertThat(otherPort).as("another port of the same host").isPresent();
      other.get().close();
      otherPort.get().close();
      assertThat(slots.acquire("POP.EXAMPLE.COM", 995, () -> true))
          .as("the held host, spelt otherwise")
          .isEmpty();
      Future<Optional<ServerSlots.Slot>> same =
          pool.submit(() -> slots.acquire("pop.EXAMPLE.com", 995, () -> false));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> slots.waiting("pop.example.com", 995) == 1);
      assertThat(same).isNotDone();
      held.close();
      same.get(10, TimeUnit.SECONDS).orElseThrow().close();
    }
  }

  @Test
  void aWaiterGivesUpWhenToldSoAStoppingDaemonDoesNotHang() throws Exception {
    ServerSlots slots = new ServerSlots(1);
    AtomicBoolean stopping = new AtomicBoolean();
    try (ServerSlots.Slot held =
        slots.acquire("pop.example.com", 995, stopping::get).orElseThrow()) {
      Future<Optional<ServerSlots.Slot>> waiter =
          pool.submit(() -> slots.acquire("pop.example.com", 995, stopping::get));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> slots.waiting("pop.example.com", 995) == 1);
      stopping.set(true);
      assertThat(waiter.get(10, TimeUnit.SECONDS)).isEmpty();
    }
  }

  @Test
  void runHoldsASlotOnlyWhileItsTaskRunsAndSkipsTheTaskWhenGivingUp() throws Exception {
    ServerSlots slots = new ServerSlots(1);
    assertThat(slots.run("pop.example.com", 995, () -> false, () -> "polled")).contains("polled");
    assertThat(slots.run("pop.example.com", 995, () -> false, () -> "again"))
        .as("the slot was given back")
        .contains("again");

    AtomicInteger ran = new AtomicInteger();
    try (ServerSlots.Slot held = slots.acquire("pop.example.com", 995, () -> false).orElseThrow()) {
      assertThat(slots.run("pop.example.com", 995, () -> true, ran::incrementAndGet)).isEmpty();
    }
    assertThat(ran).hasValue(0);
  }
}
