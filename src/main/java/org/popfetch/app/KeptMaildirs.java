package org.popfetch.app;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.DeliverConfig;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.PollResult;
import org.popfetch.queue.MailQueue;

/**
 * An account's Maildir and the quarantine, kept by the service from one poll to the next. Setting a
 * Maildir up walks its path, makes what is missing of it and sweeps its tmp/: the idle service did
 * that twice for every account at every poll, for polls that mostly find nothing.
 *
 * <p>A kept one is set up again, as at the first poll, when the poll before it did not succeed
 * (whatever that poll left behind is let go, and a Maildir that went missing is made again), when
 * its tmp/, new/ or cur/ is no longer a directory (removed, or replaced by a link: the setup then
 * makes it again or refuses it), and when it was set up {@link #RENEW} ago or more, so that tmp/ is
 * swept of stale files at least that often. Every batch still walks to the directories afresh when
 * it starts. Destinations other than a Maildir of the service's own (mbox, a program, the
 * forwarding queue, rules, a user's delivery agent) are built for each poll, as before.
 *
 * <p>Used by one account's polls, which never run at once.
 */
final class KeptMaildirs {
  /** How long a Maildir is kept before it is set up (and its tmp/ swept) again. */
  static final Duration RENEW = Duration.ofHours(1);

  private final AccountConfig account;
  private final PopfetchConfig config;
  private final MailQueue queue;
  private final String host;
  private final Clock clock;
  private final Optional<Path> maildir;
  private Kept destination;
  private Kept quarantine;

  private record Kept(Destination destination, Instant since) {}

  KeptMaildirs(
      AccountConfig account, PopfetchConfig config, MailQueue queue, String host, Clock clock) {
    this.account = account;
    this.config = config;
    this.queue = queue;
    this.host = host;
    this.clock = clock;
    this.maildir = ownMaildir(account);
  }

  /**
   * The account's destination for the next poll: the kept one if it is sound, else one set up now.
   *
   * @throws DeliveryException as {@link AccountWiring#destination} does
   */
  synchronized Destination destination() throws DeliveryException {
    if (maildir.isEmpty()) {
      return AccountWiring.destination(account, config, queue, host);
    }
    if (!sound(destination, maildir.get())) {
      destination = null;
      destination =
          new Kept(AccountWiring.destination(account, config, queue, host), clock.instant());
    }
    return destination.destination();
  }

  /**
   * The quarantine for the next poll, as {@link #destination()}.
   *
   * @throws DeliveryException as {@link AccountWiring#quarantine} does
   */
  synchronized Destination quarantine() throws DeliveryException {
    if (!sound(quarantine, config.quarantine())) {
      quarantine = null;
      quarantine = new Kept(AccountWiring.quarantine(config, host), clock.instant());
    }
    return quarantine.destination();
  }

  /** A poll ended with {@code result}, or null if it ended by throwing. */
  synchronized void ended(PollResult result) {
    if (result == null || result.failure().isPresent()) {
      destination = null;
      quarantine = null;
    }
  }

  private boolean sound(Kept kept, Path root) {
    if (kept == null || !clock.instant().isBefore(kept.since().plus(RENEW))) {
      return false;
    }
    for (String sub : new String[] {"tmp", "new", "cur"}) {
      if (!Files.isDirectory(root.resolve(sub), LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
    }
    return true;
  }

  /** The Maildir the account delivers all its mail to as the service's own user, if it does. */
  private static Optional<Path> ownMaildir(AccountConfig a) {
    if (a.rules().isEmpty()
        && a.deliver() instanceof DeliverConfig.Maildir m
        && m.user().isEmpty()) {
      return Optional.of(m.path());
    }
    return Optional.empty();
  }
}
