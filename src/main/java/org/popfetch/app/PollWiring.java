package org.popfetch.app;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.DeliveryLedger;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.Lease;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.SessionAhead;
import org.popfetch.net.LoggingProtocolTrace;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.queue.MailQueue;
import org.popfetch.schedule.AccountPolling;
import org.popfetch.store.SqliteDeliveryLedger;

/** Wires one poll of a configured account: its policy, destination, quarantine and trace. */
final class PollWiring {
  private PollWiring() {}

  /**
   * A poll of {@code target}, its destination built anew for each run (a Maildir removed since the
   * last poll is made again, or reported): for the one-shot {@code poll}, which runs it once.
   *
   * @param queue the forwarding queue, or null if no account forwards
   */
  static AccountPolling.Poll poll(
      AccountRun.Target target,
      PopfetchConfig config,
      SeenUidStore store,
      MailQueue queue,
      boolean trace) {
    return poll(target, config, store, queue, trace, Optional.empty());
  }

  /** The same, its session taken from {@code ahead} if one was opened there for it. */
  static AccountPolling.Poll poll(
      AccountRun.Target target,
      PopfetchConfig config,
      SeenUidStore store,
      MailQueue queue,
      boolean trace,
      Optional<SessionAhead> ahead) {
    String host = AccountWiring.localHost();
    return (observer, stop) -> {
      // Opened on first use: only a message that goes to several destinations needs it.
      DeliveryLedger ledger = SqliteDeliveryLedger.at(config.state().file());
      try {
        AccountPoll poll =
            accountPoll(
                target,
                store,
                trace,
                host,
                observer,
                AccountWiring.destination(target.config(), config, queue, host, ledger),
                AccountWiring.quarantine(config, host));
        ahead.ifPresent(poll::openedAhead);
        return poll.stopWhen(stop).withLedger(ledger).fencedBy(Lease.EXCLUSIVE).run();
      } finally {
        close(ledger);
      }
    };
  }

  /**
   * A poll of {@code target} run again and again by the service: its Maildir and the quarantine are
   * set up once and kept between polls while they are sound ({@link KeptMaildirs}), and this
   * machine's name is the one given, looked up once for all accounts. A multidrop mailbox's
   * destination holds the poll's ledger, so it is made for each poll.
   *
   * @param queue the forwarding queue, or null if no account forwards
   */
  static AccountPolling.Poll kept(
      AccountRun.Target target,
      PopfetchConfig config,
      SeenUidStore store,
      MailQueue queue,
      boolean trace,
      String host) {
    return kept(target, config, store, queue, trace, host, () -> Lease.EXCLUSIVE);
  }

  /**
   * The same, each run fenced by the lease {@code lease} gives then: the account's, taken by the
   * caller before the run and held until it ends.
   */
  static AccountPolling.Poll kept(
      AccountRun.Target target,
      PopfetchConfig config,
      SeenUidStore store,
      MailQueue queue,
      boolean trace,
      String host,
      Supplier<Lease> lease) {
    KeptMaildirs kept = new KeptMaildirs(target.config(), config, queue, host, Clock.systemUTC());
    boolean multidrop = target.config().multidrop().isPresent();
    return (observer, stop) -> {
      DeliveryLedger ledger = SqliteDeliveryLedger.at(config.state().file());
      PollResult result = null;
      try {
        Destination destination =
            multidrop
                ? AccountWiring.destination(target.config(), config, queue, host, ledger)
                : kept.destination();
        result =
            accountPoll(target, store, trace, host, observer, destination, kept.quarantine())
                .stopWhen(stop)
                .withLedger(ledger)
                .fencedBy(lease.get())
                .run();
        return result;
      } finally {
        kept.ended(result);
        close(ledger);
      }
    };
  }

  private static void close(DeliveryLedger ledger) {
    try {
      ledger.close();
    } catch (IOException e) {
      // Its writes were each durable when made; a failing close loses nothing.
    }
  }

  private static AccountPoll accountPoll(
      AccountRun.Target target,
      SeenUidStore store,
      boolean trace,
      String host,
      FetchObserver observer,
      Destination destination,
      Destination quarantine) {
    return new AccountPoll(
        target.account(),
        AccountWiring.policy(target.config()),
        store,
        destination,
        quarantine,
        host,
        Clock.systemUTC(),
        observer,
        trace(target, trace));
  }

  /** Where {@code target}'s protocol is written: the log with --trace, else nowhere. */
  static ProtocolTrace trace(AccountRun.Target target, boolean trace) {
    return trace ? new LoggingProtocolTrace(target.config().name()) : ProtocolTrace.NONE;
  }
}
