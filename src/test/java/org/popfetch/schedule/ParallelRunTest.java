package org.popfetch.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelRunTest {
  private record Account(String name, String host, int port) {}

  private static List<Account> started(List<Account> accounts, int parallel, int perServer) {
    return ParallelRun.startingAtOnce(accounts, parallel, perServer, Account::host, Account::port);
  }

  @Test
  void theFirstParallelStartAtOnce() {
    List<Account> accounts =
        List.of(
            new Account("a", "one.example", 110),
            new Account("b", "two.example", 110),
            new Account("c", "three.example", 110));
    assertThat(started(accounts, 2, 4)).extracting(Account::name).containsExactly("a", "b");
    assertThat(started(accounts, 8, 4)).extracting(Account::name).containsExactly("a", "b", "c");
    assertThat(started(List.of(), 4, 4)).isEmpty();
  }

  @Test
  void aServerWithMoreOfTheFirstThanItsSlotsHasNoneThatSurelyStarts() {
    List<Account> accounts =
        List.of(
            new Account("a", "pop.example", 110),
            new Account("b", "other.example", 110),
            new Account("c", "POP.example", 110),
            new Account("d", "pop.example", 995));
    // a and c share a server (names are case-blind) and its one slot: which of them waits
    // depends on which thread comes first. d is the same host on another port: another server.
    assertThat(started(accounts, 4, 1)).extracting(Account::name).containsExactly("b", "d");
    assertThat(started(accounts, 4, 2))
        .extracting(Account::name)
        .containsExactly("a", "b", "c", "d");
  }

  @Test
  void whatItSaysStartsAtOnceDoesWithoutWaitingForAnother() throws Exception {
    // Three accounts on one server with two slots, and a fourth elsewhere; two threads.
    List<Account> accounts =
        List.of(
            new Account("a", "pop.example", 110),
            new Account("b", "mail.example", 110),
            new Account("c", "pop.example", 110),
            new Account("d", "pop.example", 110));
    List<Account> atOnce = started(accounts, 2, 2);
    assertThat(atOnce).extracting(Account::name).containsExactly("a", "b");
    // Each of those holds its thread until all of them are running: they can only all be
    // running if none of them waited for a thread or a slot.
    CountDownLatch allRunning = new CountDownLatch(atOnce.size());
    AtomicInteger timedOut = new AtomicInteger();
    List<String> order = new ArrayList<>();
    ParallelRun.forEach(
        accounts,
        2,
        2,
        Account::host,
        Account::port,
        account -> {
          if (atOnce.contains(account)) {
            allRunning.countDown();
            try {
              if (!allRunning.await(30, TimeUnit.SECONDS)) {
                timedOut.incrementAndGet();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          synchronized (order) {
            order.add(account.name());
          }
          return account.name();
        });
    assertThat(timedOut).hasValue(0);
    assertThat(order).containsExactlyInAnyOrder("a", "b", "c", "d");
  }
}
