package org.popfetch.schedule;

import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.popfetch.fetch.AuthFailureNotice;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of one account and what follows from it, shared by the service's scheduled job and
 * {@code popfetch poll}: the observer (metrics, a progress bar) hears the poll start and end
 * exactly once; a destination that cannot even be set up ends the poll as a delivery failure,
 * logged like any other; and, where the account has a {@link Standing} (the service), a refused
 * login or busy mailbox makes it rest ({@link Backoff}) and refused logins in a row tell the
 * mailbox's owner ({@link AuthFailureNotice}). A one-shot run has no standing: nothing of it
 * outlives the process, so it neither rests nor sends notices.
 *
 * <p>Needs no scheduler: the caller decides when to call {@link #poll} or {@link #pollWhenDue}.
 */
public final class AccountPolling {
  private static final Logger LOG = LoggerFactory.getLogger(AccountPolling.class);

  /** Runs one poll of the account, its destination built for it. */
  @FunctionalInterface
  public interface Poll {
    /**
     * Polls once, telling {@code observer} what it fetches; stops early when {@code stop} says so.
     *
     * @throws DeliveryException if the destination cannot be set up; nothing was asked of the
     *     mailbox
     */
    PollResult run(FetchObserver observer, BooleanSupplier stop) throws DeliveryException;
  }

  /**
   * What outlives one poll of an account in the service: its backoff, its notice, and where the
   * notice goes.
   */
  public record Standing(
      Backoff backoff, AuthFailureNotice notice, AuthFailureNotice.Opener noticeTo) {}

  private final String account;
  private final Poll poll;
  private final FetchObserver observer;
  private final Optional<Standing> standing;
  private final Clock clock;

  private AccountPolling(
      String account, Poll poll, FetchObserver observer, Optional<Standing> standing, Clock clock) {
    this.account = account;
    this.poll = poll;
    this.observer = observer;
    this.standing = standing;
    this.clock = clock;
  }

  /** A poll run once and forgotten ({@code popfetch poll}): no backoff, no notice. */
  public static AccountPolling once(String account, Poll poll, FetchObserver observer) {
    return new AccountPolling(account, poll, observer, Optional.empty(), Clock.systemUTC());
  }

  /** A poll that is run again and again (the service), keeping {@code standing} between runs. */
  public static AccountPolling standing(
      String account, Poll poll, FetchObserver observer, Standing standing, Clock clock) {
    return new AccountPolling(account, poll, observer, Optional.of(standing), clock);
  }

  /** Whether a poll may run now: false while the account rests after a refusal. */
  public boolean due() {
    return standing.map(s -> s.backoff().due(clock.instant())).orElse(true);
  }

  /**
   * Polls if the account is not resting, holding one of {@code slots} at {@code host}:{@code port}
   * while it runs.
   *
   * @return the result, or empty if resting, or if {@code stop} said so while waiting for a slot
   * @throws InterruptedException if interrupted while waiting for a slot
   */
  public Optional<PollResult> pollWhenDue(
      ServerSlots slots, String host, int port, BooleanSupplier stop) throws InterruptedException {
    if (!due()) {
      return Optional.empty(); // a refused login or a busy mailbox: give the server a rest
    }
    return slots.run(host, port, stop, () -> poll(stop));
  }

  /**
   * Polls now, then updates the standing, if any, from the result. Never throws: every failure is
   * in the result.
   */
  public PollResult poll(BooleanSupplier stop) {
    observer.started(account);
    PollResult result;
    try {
      result = poll.run(progressOnly(observer), stop);
    } catch (DeliveryException e) {
      // The destination could not even be set up (a Maildir path that is a file, a link another
      // user planted): say so, as a poll says why it failed, or the poll ends with no word.
      // Nothing was asked of the mailbox (at most a session opened ahead logged in): every
      // message stays there.
      PollFailure failure =
          new PollFailure(PollFailure.Kind.DELIVERY, String.valueOf(e.getMessage()));
      LOG.warn(
          "{}: poll failed (DELIVERY): {}; {}",
          account,
          LogText.sanitize(failure.message()),
          failure.remedy());
      result = new PollResult(account, 0, 0, 0, 0, 0, 0, Optional.of(failure));
    }
    observer.finished(result);
    if (standing.isPresent()) {
      settle(standing.get(), result);
    }
    return result;
  }

  private void settle(Standing s, PollResult result) {
    settleFailure(s, result);
    // Last: a success clears the backoff, but never the server's own least time between logins.
    result.loginDelay().ifPresent(d -> s.backoff().loginDelay(d, clock.instant()));
  }

  private void settleFailure(Standing s, PollResult result) {
    if (result.failure().isEmpty()) {
      s.backoff().succeeded();
      s.notice().succeeded();
      return;
    }
    PollFailure f = result.failure().get();
    if (f.kind() == PollFailure.Kind.AUTH) {
      if (!f.needsOAuthLogin()) {
        // A refused grant is not rested on: its polls ask no server, and the next one must take
        // the token a new login stores.
        s.backoff().failed("login refused", clock.instant());
      }
      s.notice().refused(f.message(), s.noticeTo());
    } else if (f.kind() == PollFailure.Kind.SERVER_BUSY) {
      s.backoff().failed("mailbox busy", clock.instant());
    }
  }

  /** Passes progress on; the end is told by {@link #poll}, once, whatever the poll did. */
  private static FetchObserver progressOnly(FetchObserver observer) {
    return new FetchObserver() {
      @Override
      public void fetching(String account, int messages, long octets) {
        observer.fetching(account, messages, octets);
      }

      @Override
      public void fetched(String account, int number, long octets) {
        observer.fetched(account, number, octets);
      }

      @Override
      public void decided(String account, Decision decision) {
        observer.decided(account, decision);
      }
    };
  }
}
