package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.popfetch.control.Heartbeat;
import org.popfetch.control.SdNotify;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;

class ServiceLedgerTest {
  private final AtomicInteger settled = new AtomicInteger();
  private final ServiceLedger ledger =
      new ServiceLedger(
          Clock.systemUTC(), new Heartbeat(), SdNotify.fromEnvironment(), settled::incrementAndGet);
  private final FetchObserver observer = ledger.observer(FetchObserver.NONE);

  private void polled(String account) {
    observer.finished(new PollResult(account, 0, 0, 0, 0, 0, 0, Optional.empty()));
  }

  @Test
  void settlesOnceEveryAccountHasPolledAfterAStartAndAgainAfterAReload() {
    ledger.accounts(List.of("alice", "bob", "carol"));

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

    ledger.accounts(List.of("bob", "dave"));
    polled("bob");
    polled("carol"); // gone from the configuration; its last poll ends after the reload
    assertThat(settled).hasValue(1);
    polled("dave");
    assertThat(settled).as("once a reload").hasValue(2);
  }

  @Test
  void aFailedPollCountsAsPolled() {
    ledger.accounts(List.of("alice", "bob"));

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
}
