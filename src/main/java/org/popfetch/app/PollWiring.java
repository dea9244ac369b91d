package org.popfetch.app;

import java.time.Clock;
import org.popfetch.config.PopfetchConfig;
import java.util.function.Supplier;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.Lease;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.net.LoggingProtocolTrace;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.queue.MailQueue;
import org.popfetch.schedule.AccountPolling;

/** Wires one poll of a configured account: its policy, destination, quarantine and trace. */
final class PollWiring {
  private PollWiring() {}

  /**
   * A poll of {@code target}, its destination built anew for each run (a Maildir removed since the
   * last poll is made again, or reported).
   *
   * @param queue the forwarding queue, or null if no account forwards
   */
  static AccountPolling.Poll poll(
      AccountRun.Target target,
      PopfetchConfig config,
      SeenUidStore store,
      MailQueue queue,
      boolean trace) {
    return poll(target, config, store, queue, trace, () -> Lease.EXCLUSIVE);
  }

  /**
   * The same, each run fenced by the lease {@code lease} gives then: the account's, taken by the
   * caller before the run and held until it ends.
   */
  static AccountPolling.Poll poll(
      AccountRun.Target target,
      PopfetchConfig config,
      SeenUidStore store,
      MailQueue queue,
      boolean trace,
      Supplier<Lease> lease) {
    return (observer, stop) -> {
      String name = target.config().name();
      ProtocolTrace t = trace ? new LoggingProtocolTrace(name) : ProtocolTrace.NONE;
      return new AccountPoll(
              target.account(),
              AccountWiring.policy(target.config()),
              store,
              AccountWiring.destination(target.config(), config, queue),
              AccountWiring.quarantine(config),
              AccountWiring.localHost(),
              Clock.systemUTC(),
              observer,
              t)
          .stopWhen(stop)
          .fencedBy(lease.get())
          .run();
    };
  }
}
