package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.popfetch.control.Heartbeat;
import org.popfetch.control.SdNotify;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.testing.TestClock;

class ServiceLedgerTest {
  private final AtomicInteger settled = new AtomicInteger();
  private final TestClock clock = new TestClock();
  private final ServiceLedger ledger =
      new ServiceLedger(
          clock, new Heartbeat(), SdNotify.fromEnvironment(), settled::incrementAndGet);
  private final FetchObserver observer = ledger.observer(FetchObserver.NONE);

  private void polled(String account) {
    observer.finished(new PollResult(account, 0, 0, 0, 0, 0, 0, Optional.empty()));
  }

  @Test
  void settlesOnceEveryAccountHasPolledAfterAStartAndAgainAfterAReload() {
    ledger.accounts(List.of("alice", "bob", "carol"));
    ledger.firstPolls();

    polled("alice");
    polled("alice");
    polled("bob");
    assertThat(settled).as("carol not yet polled").hasValue(0);
    polled("carol");
    assertThat(settled).hasValue(1);
    polled("alice");
    polled("bob");
    polled("carol");
    assertThat(settled).as("once a start").hasValue(1);

    // A reload: the new jobs are made while the old ones may still poll, and counted once those
    // have ended and the new ones start.
    ledger.accounts(List.of("bob", "dave"));
    polled("bob"); // the old set's last poll, of an account both sets have
    ledger.firstPolls();
    polled("dave");
    polled("carol"); // gone from the configuration
    assertThat(settled).as("bob not yet polled since the reload").hasValue(1);
    polled("bob");
    assertThat(settled).as("once a reload").hasValue(2);
  }

  @Test
  void aFailedPollCountsAsPolled() {
    ledger.accounts(List.of("alice", "bob"));
    ledger.firstPolls();

    polled("alice");
    observer.finished(
        new PollResult(
            "bob",
            0,
            0,
            0,
            0,
            0,
            0,
            Optional.of(new PollFailure(PollFailure.Kind.CONNECT, "connection refused"))));

    assertThat(settled).hasValue(1);
  }

  @Test
  void anAccountThatDoesNotPollHoldsItBackOnlyForAWhile() {
    ledger.accounts(List.of("alice", "resting"));
    ledger.firstPolls();

    polled("alice");
    clock.advance(ServiceLedger.SETTLE_WITHIN.minus(Duration.ofSeconds(1)));
    polled("alice");
    assertThat(settled).as("still within the wait").hasValue(0);

    clock.advance(Duration.ofSeconds(1));
    polled("alice");
    assertThat(settled).as("the first poll to end after the wait").hasValue(1);
    polled("resting");
    clock.advance(ServiceLedger.SETTLE_WITHIN);
    polled("alice");
    assertThat(settled).as("once a start").hasValue(1);

    // A reload starts the wait again.
    ledger.firstPolls();
    clock.advance(Duration.ofMinutes(1));
    polled("alice");
    assertThat(settled).hasValue(1);
    clock.advance(ServiceLedger.SETTLE_WITHIN);
    polled("alice");
    assertThat(settled).as("once a reload").hasValue(2);
  }

  @Test
  void afterTheWaitAFirstPollStillRunningHoldsItBackUntilItEnds() {
    ledger.accounts(List.of("alice", "large", "resting"));
    ledger.firstPolls();
    observer.started("large");

    clock.advance(ServiceLedger.SETTLE_WITHIN);
    observer.started("alice");
    polled("alice");
    assertThat(settled).as("large's first poll still running").hasValue(0);

    polled("large");
    assertThat(settled).as("its end, resting still not polled").hasValue(1);
  }

  @Test
  void afterTheWaitAPollOfAnAccountGoneFromTheConfigurationSettles() {
    ledger.accounts(List.of("alice", "resting"));
    ledger.firstPolls();
    clock.advance(ServiceLedger.SETTLE_WITHIN);

    polled("carol"); // the last poll of an account a reload took out

    assertThat(settled).hasValue(1);
  }
}
