package org.popfetch.queue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.CredentialSource;
import org.popfetch.smtp.MxResolver;
import org.popfetch.smtp.SmtpClient;
import org.popfetch.smtp.SmtpException;
import org.popfetch.smtp.SmtpReply;
import org.popfetch.smtp.SmtpReplyException;
import org.popfetch.smtp.SmtpSettings;
import org.popfetch.smtp.SmtpTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over the queue: every due message (or every message, when flushing) is offered to its
 * route's server, one connection per route. 2yz settles a recipient, 4yz or a failed connection
 * defers it with a growing wait, 5yz bounces it at once; a message still pending after its lifetime
 * is bounced with 4.4.7. A route whose server cannot be reached is skipped for the rest of the
 * pass, so one dead host does not hold up the others.
 */
public final class QueueRunner {
  private static final Logger LOG = LoggerFactory.getLogger(QueueRunner.class);

  /**
   * Where a route's mail goes, and how to log in there. With an MX resolver the route is a template
   * for direct delivery: entries routed "mx:DOMAIN" go to that domain's MX hosts, with these
   * settings' port, TLS and name. The credentials are asked for at each login.
   */
  public record Route(
      SmtpSettings settings, Optional<CredentialSource> credentials, Optional<MxResolver> mx) {
    public Route(SmtpSettings settings, Optional<CredentialSource> credentials) {
      this(settings, credentials, Optional.empty());
    }
  }

  /** What one pass did. */
  public record Report(int delivered, int deferred, int bounced) {}

  private final MailQueue queue;
  private final Routes routes;
  private final QueuePolicy policy;
  private final Clock clock;
  private final ProtocolTrace trace;
  private int delivered;
  private int deferred;
  private int bounced;

  public QueueRunner(
      MailQueue queue,
      Map<String, Route> routes,
      QueuePolicy policy,
      Clock clock,
      ProtocolTrace trace) {
    this.queue = queue;
    this.routes = new Routes(routes);
    this.policy = policy;
    this.clock = clock;
    this.trace = trace;
  }

  /** Delivers what is due ({@code everything}: all of it, as {@code queue flush} does). */
  public Report run(boolean everything) throws IOException {
    Instant now = clock.instant();
    Map<String, List<QueueEntry>> byRoute = new LinkedHashMap<>();
    for (MailQueue.Scheduled s : queue.entries()) {
      if (everything || !s.next().isAfter(now)) {
        byRoute.computeIfAbsent(s.entry().route(), k -> new ArrayList<>()).add(s.entry());
      }
    }
    for (Map.Entry<String, List<QueueEntry>> e : byRoute.entrySet()) {
      runRoute(e.getKey(), e.getValue());
    }
    return new Report(delivered, deferred, bounced);
  }

  private void runRoute(String name, List<QueueEntry> entries) throws IOException {
    Optional<Routes.Found> found = routes.find(name);
    if (found.isEmpty()) {
      for (QueueEntry e : entries) {
        settleAll(e, new Outcome.Deferred("route " + name + " is no longer configured"));
      }
      return;
    }
    Route route = found.get().route();
    Reach reach = reach(route, found.get().mxDomain().orElse(null));
    if (reach instanceof Unreachable u) {
      LOG.warn(
          "queue: {} unreachable, {} message(s) deferred: {}",
          name,
          entries.size(),
          LogText.sanitize(u.why()));
      settleAll(entries, new Outcome.Deferred(u.why()));
    } else if (reach instanceof Resolved r) {
      settleAll(entries, r.outcome());
    } else {
      deliver(route, ((Reached) reach).client(), entries);
    }
  }

  /** How an attempt to reach a route's server ended. */
  private sealed interface Reach {}

  /** Connected and logged in. */
  private record Reached(SmtpClient client) implements Reach {}

  /** No server of the route could be reached or would take the login; the entries wait. */
  private record Unreachable(String why) implements Reach {}

  /** DNS settled the entries without a connection: the domain takes no mail, or try later. */
  private record Resolved(Outcome outcome) implements Reach {}

  /** Connects to the route's server (or the domain's MX hosts) and logs in as configured. */
  private Reach reach(Route route, String domain) {
    Reach reach = domain == null ? connect(route.settings()) : connectMx(route, domain);
    if (reach instanceof Reached r && route.credentials().isPresent()) {
      try {
        r.client().login(route.credentials().get().credentials());
      } catch (CredentialException e) {
        // A password that cannot be had now: the entries wait, as for a server that is down.
        r.client().close();
        return new Unreachable(e.getMessage());
      } catch (SmtpException e) {
        r.client().close();
        return new Unreachable(e.getMessage());
      }
    }
    return reach;
  }

  private Reach connect(SmtpSettings settings) {
    try {
      return new Reached(SmtpClient.connect(settings, trace));
    } catch (SmtpException e) {
      return new Unreachable(e.getMessage());
    }
  }

  /**
   * Connects to the first MX host of the domain that answers (RFC 5321 section 5.1: in order of
   * preference, each address in turn). A domain that takes no mail bounces its entries; a DNS
   * failure defers them.
   */
  private Reach connectMx(Route route, String domain) {
    MxResolver.Result r = route.mx().orElseThrow().lookup(domain);
    if (r instanceof MxResolver.Result.NoMail no) {
      return new Resolved(Outcome.of(new SmtpReply(550, List.of("5.1.2 " + no.why()))));
    }
    if (r instanceof MxResolver.Result.TryLater later) {
      return new Resolved(new Outcome.Deferred(later.why()));
    }
    String lastError = "no MX host of " + domain + " has an address";
    for (String host : ((MxResolver.Result.Hosts) r).hosts()) {
      for (InetAddress address : route.mx().get().addresses(host)) {
        Reach reach = connect(route.settings().at(host, address));
        if (reach instanceof Unreachable u) {
          lastError = u.why();
        } else {
          return reach;
        }
      }
    }
    return new Unreachable(lastError);
  }

  /** Offers each message to the server in turn, then says QUIT. */
  private void deliver(Route route, SmtpClient client, List<QueueEntry> entries)
      throws IOException {
    try {
      for (int i = 0; i < entries.size(); i++) {
        Optional<Outcome.Deferred> ended = attempt(route, client, entries.get(i));
        if (ended.isPresent()) {
          // The connection is gone: the rest of the route waits for next time.
          settleAll(entries.subList(i + 1, entries.size()), ended.get());
          return;
        }
      }
    } finally {
      client.quit();
    }
  }

  /**
   * Offers one message and settles it. Returns what becomes of the rest of the route when the
   * connection ended with it (a 421, a failure), else empty.
   */
  private Optional<Outcome.Deferred> attempt(Route route, SmtpClient client, QueueEntry entry)
      throws IOException {
    queue.activate(entry.id());
    try (InputStream message = queue.open(entry.id())) {
      SmtpTransaction t =
          client.send(entry.sender(), entry.pending(), queue.size(entry.id()), message);
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      t.replies().forEach((rcpt, reply) -> outcomes.put(rcpt, Outcome.of(reply)));
      settle(entry, outcomes);
      return Optional.empty();
    } catch (SmtpReplyException e) {
      settleAll(entry, Outcome.of(e.reply()));
      // 421: the server is closing the connection.
      boolean closing = e.reply().code() == 421;
      return closing ? Optional.of(new Outcome.Deferred(e.reply().toString())) : Optional.empty();
    } catch (SmtpException e) {
      if (e.kind() == SmtpException.Kind.OUTCOME_UNKNOWN) {
        LOG.warn(
            "queue: {} sent but unconfirmed by {}; it will be sent again and may be"
                + " delivered twice",
            entry.id(),
            route.settings().peer());
      }
      Outcome.Deferred later = new Outcome.Deferred(e.getMessage());
      settleAll(entry, later);
      return Optional.of(later);
    }
  }

  /** Bounces every pending recipient of one message now (queue bounce ID). */
  public void bounceNow(String id, String reason) throws IOException {
    QueueEntry entry =
        queue
            .find(id)
            .orElseThrow(() -> new IOException("no message " + id + " in the queue"))
            .entry();
    settleAll(entry, Outcome.of(new SmtpReply(550, List.of("5.0.0 " + reason))));
  }

  private void settleAll(List<QueueEntry> entries, Outcome outcome) throws IOException {
    for (QueueEntry entry : entries) {
      settleAll(entry, outcome);
    }
  }

  /** Settles every pending recipient of {@code entry} alike. */
  private void settleAll(QueueEntry entry, Outcome outcome) throws IOException {
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    entry.pending().forEach(r -> outcomes.put(r, outcome));
    settle(entry, outcomes);
  }

  /** Applies each recipient's outcome to the envelope, then removes, bounces or defers. */
  private void settle(QueueEntry entry, Map<String, Outcome> outcomes) throws IOException {
    Instant now = clock.instant();
    Map<String, QueueEntry.Status> recipients = new LinkedHashMap<>(entry.recipients());
    List<DeliveryStatusNotification.Failure> failures = new ArrayList<>();
    String lastError = "";
    for (Map.Entry<String, Outcome> o : outcomes.entrySet()) {
      String rcpt = o.getKey();
      if (o.getValue() instanceof Outcome.Delivered d) {
        String text = d.reply().toString();
        recipients.put(rcpt, new QueueEntry.Status(QueueEntry.State.DELIVERED, text));
        delivered++;
      } else if (o.getValue() instanceof Outcome.Bounced b) {
        recipients.put(rcpt, new QueueEntry.Status(QueueEntry.State.BOUNCED, b.diagnostic()));
        failures.add(new DeliveryStatusNotification.Failure(rcpt, b.status(), b.diagnostic()));
      } else if (o.getValue() instanceof Outcome.Deferred d) {
        lastError = d.reason();
      }
    }
    QueueEntry updated = entry.with(recipients, entry.attempts() + 1, lastError);
    if (!updated.pending().isEmpty() && !entry.arrival().plus(policy.lifetime()).isAfter(now)) {
      for (String r : updated.pending()) {
        recipients.put(r, new QueueEntry.Status(QueueEntry.State.BOUNCED, lastError));
        failures.add(
            new DeliveryStatusNotification.Failure(
                r, "4.4.7", "delivery time expired; last error: " + lastError));
      }
      updated = entry.with(recipients, entry.attempts() + 1, lastError);
    }
    if (!failures.isEmpty()) {
      bounce(entry, failures);
      bounced += failures.size();
    }
    finish(entry, updated, now);
  }

  /** Removes a message with nobody left to try, or defers it (warning the sender once). */
  private void finish(QueueEntry entry, QueueEntry updated, Instant now) throws IOException {
    List<String> pending = updated.pending();
    if (pending.isEmpty()) {
      queue.remove(entry.id());
      LOG.debug("queue: {} done ({})", entry.id(), summary(updated));
      return;
    }
    Instant next = now.plus(policy.backoff(updated.attempts()));
    if (!updated.warned()
        && !policy.delayWarning().isZero()
        && !entry.sender().isEmpty()
        && !entry.arrival().plus(policy.delayWarning()).isAfter(now)) {
      warnDelayed(updated, pending);
      updated = updated.warnedNow();
    }
    queue.defer(updated, next);
    deferred += pending.size();
    LOG.info(
        "queue: {} deferred until {} for {} recipient(s): {}",
        entry.id(),
        next,
        pending.size(),
        LogText.sanitize(updated.lastError()));
  }

  private static String summary(QueueEntry e) {
    long ok =
        e.recipients().values().stream()
            .filter(s -> s.state() == QueueEntry.State.DELIVERED)
            .count();
    return ok + " delivered, " + (e.recipients().size() - ok) + " bounced";
  }

  /** Tells the sender, once, that the message is still waiting (Action: delayed). */
  private void warnDelayed(QueueEntry entry, List<String> pending) throws IOException {
    List<DeliveryStatusNotification.Failure> waiting = new ArrayList<>();
    for (String r : pending) {
      waiting.add(
          new DeliveryStatusNotification.Failure(
              r, "4.0.0", entry.lastError().isEmpty() ? "not delivered yet" : entry.lastError()));
    }
    byte[] dsn;
    try (InputStream original = queue.open(entry.id())) {
      dsn =
          DeliveryStatusNotification.build(
              policy.reportingMta(),
              entry,
              waiting,
              entry.sender(),
              original,
              clock.instant(),
              entry.arrival().plus(policy.lifetime()));
    }
    MailQueue.Pending p =
        queue.stage(
            "",
            List.of(entry.sender()),
            entry.route(),
            out -> {
              out.write(dsn);
              return dsn.length;
            });
    queue.commit(List.of(p));
    LOG.info(
        "queue: {} delayed; warning {} queued for {}", entry.id(), p.entry().id(), entry.sender());
  }

  /** Queues a DSN to the sender and the postmaster; a bounce itself is never bounced. */
  private void bounce(QueueEntry entry, List<DeliveryStatusNotification.Failure> failures)
      throws IOException {
    List<String> to = new ArrayList<>();
    if (entry.sender().isEmpty()) {
      // RFC 5321 section 4.5.5: no notification in answer to a notification.
      LOG.error(
          "queue: {} is itself a bounce and could not be delivered ({}); it is not bounced again",
          entry.id(),
          LogText.sanitize(failures.get(0).diagnostic()));
      return;
    }
    if (policy.bounceToSender()) {
      to.add(entry.sender());
    }
    if (!policy.postmaster().isEmpty() && !to.contains(policy.postmaster())) {
      to.add(policy.postmaster());
    }
    for (String recipient : to) {
      byte[] dsn;
      try (InputStream original = queue.open(entry.id())) {
        dsn =
            DeliveryStatusNotification.build(
                policy.reportingMta(), entry, failures, recipient, original, clock.instant());
      }
      MailQueue.Pending p =
          queue.stage(
              "",
              List.of(recipient),
              entry.route(),
              out -> {
                out.write(dsn);
                return dsn.length;
              });
      queue.commit(List.of(p));
      LOG.warn(
          "queue: {} bounced for {} recipient(s); notice {} queued for {}",
          entry.id(),
          failures.size(),
          p.entry().id(),
          recipient);
    }
  }
}
