package org.popfetch.app;

import java.io.IOException;
import java.time.Clock;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.DeliveryLedger;
import org.popfetch.fetch.SeenUidStore;
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
    return (observer, stop) -> {
      String name = target.config().name();
      ProtocolTrace t = trace ? new LoggingProtocolTrace(name) : ProtocolTrace.NONE;
      // Opened on first use: only a message that goes to several destinations needs it.
      DeliveryLedger ledger = SqliteDeliveryLedger.at(config.state().file());
      try {
        return new AccountPoll(
                target.account(),
                AccountWiring.policy(target.config()),
                store,
                AccountWiring.destination(target.config(), config, queue, ledger),
                AccountWiring.quarantine(config),
                AccountWiring.localHost(),
                Clock.systemUTC(),
                observer,
                t)
            .stopWhen(stop)
            .withLedger(ledger)
            .run();
      } finally {
        try {
          ledger.close();
        } catch (IOException e) {
          // Its writes were each durable when made; a failing close loses nothing.
        }
      }
    };
  }
}
