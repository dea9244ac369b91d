package org.popfetch.queue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;
import org.popfetch.smtp.MxResolver;
import org.popfetch.smtp.SmtpClient;
import org.popfetch.smtp.SmtpException;
import org.popfetch.smtp.SmtpReply;
import org.popfetch.smtp.SmtpReplyException;
import org.popfetch.smtp.SmtpSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over the queue: every due message (or every message, when flushing) is offered to
 * its route's server, one connection per route. 2yz settles a recipient, 4yz or a failed
 * connection defers it with a growing wait, 5yz bounces it at once; a message still pending
 * after its lifetime is bounced with 4.4.7. A route whose server cannot be reached is skipped
 * for the rest of the pass, so one dead host does not hold up the others.
 */
public final class QueueRunner {
  private static final Logger LOG = LoggerFactory.getLogger(QueueRunner.class);

  /**
   * Where a route's mail goes, and how to log in there. With an MX resolver the route is a
   * template for direct delivery: entries routed "mx:DOMAIN" go to that domain's MX hosts,
   * with these settings' port, TLS and name.
   */
  public record Route(SmtpSettings settings, Optional<Credentials> credentials, Optional<MxResolver> mx) {
    public Route(SmtpSettings settings, Optional<Credentials> credentials) {
      this(settings, credentials, Optional.empty());
    }
  }

  /** The route name of direct delivery to a domain's MX hosts. */
  public static String mxRoute(String domain) {
    return "mx:" + domain.toLowerCase(java.util.Locale.ROOT);
  }

  /** What one pass did. */
  public record Report(int delivered, int deferred, int bounced) {}

  private final MailQueue queue;
  private final Map<String, Route> routes;
  private final QueuePolicy policy;
  private final Clock clock;
  private final ProtocolTrace trace;
  private int delivered;
  private int deferred;
  private int bounced;

  public QueueRunner(MailQueue queue, Map<String, Route> routes, QueuePolicy policy, Clock clock, ProtocolTrace trace) {
    this.queue = queue;
    this.routes = Map.copyOf(routes);
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
    Route route = routes.get(name);
    String domain = null;
    if (route == null && name.startsWith("mx:") && routes.containsKey("mx")) {
      route = routes.get("mx");
      domain = name.substring(3);
    }
    if (route == null) {
      for (QueueEntry e : entries) {
        settle(e, Map.of(), "route " + name + " is no longer configured");
      }
      return;
    }
    SmtpClient client;
    try {
      client = domain == null ? SmtpClient.connect(route.settings(), trace) : connectMx(route, domain, entries);
      if (client == null) {
        return; // settled by connectMx
      }
      if (route.credentials().isPresent()) {
        client.login(route.credentials().get());
      }
    } catch (SmtpException e) {
      LOG.warn("queue: {} unreachable, {} message(s) deferred: {}", name, entries.size(), LogText.sanitize(e.getMessage()));
      for (QueueEntry entry : entries) {
        settle(entry, Map.of(), e.getMessage());
      }
      return;
    }
    try {
      for (int i = 0; i < entries.size(); i++) {
        QueueEntry entry = entries.get(i);
        queue.activate(entry.id());
        try (InputStream message = queue.open(entry.id())) {
          SmtpClient.Transaction t = client.send(entry.sender(), entry.pending(), queue.size(entry.id()), message);
          settle(entry, t.replies(), "");
        } catch (SmtpReplyException e) {
          Map<String, SmtpReply> all = new LinkedHashMap<>();
          entry.pending().forEach(r -> all.put(r, e.reply()));
          settle(entry, all, "");
          if (e.reply().code() == 421) {
            // The server is closing the connection: the rest of the route waits for next time.
            for (QueueEntry rest : entries.subList(i + 1, entries.size())) {
              settle(rest, Map.of(), e.reply().toString());
            }
            return;
          }
        } catch (SmtpException e) {
          if (e instanceof org.popfetch.smtp.SmtpOutcomeUnknownException) {
            LOG.warn("queue: {} sent but unconfirmed by {}; it will be sent again and may be delivered twice",
                entry.id(), route.settings().peer());
          }
          // The connection is gone: this message and the rest of the route wait for next time.
          for (QueueEntry rest : entries.subList(i, entries.size())) {
            settle(rest, Map.of(), e.getMessage());
          }
          return;
        }
      }
    } finally {
      client.quit();
    }
  }

  /**
   * Connects to the first MX host of the domain that answers (RFC 5321 section 5.1: in order of
   * preference, each address in turn). A domain that takes no mail bounces its entries; a DNS
   * failure defers them. Returns null when the entries are already settled.
   */
  private SmtpClient connectMx(Route route, String domain, List<QueueEntry> entries) throws IOException {
    MxResolver.Result r = route.mx().orElseThrow().lookup(domain);
    if (r instanceof MxResolver.Result.NoMail no) {
      for (QueueEntry e : entries) {
        Map<String, SmtpReply> all = new LinkedHashMap<>();
        e.pending().forEach(rcpt -> all.put(rcpt, new SmtpReply(550, List.of("5.1.2 " + no.why()))));
        settle(e, all, "");
      }
      return null;
    }
    if (r instanceof MxResolver.Result.TryLater later) {
      for (QueueEntry e : entries) {
        settle(e, Map.of(), later.why());
      }
      return null;
    }
    String lastError = "no MX host of " + domain + " has an address";
    for (String host : ((MxResolver.Result.Hosts) r).hosts()) {
      for (java.net.InetAddress address : route.mx().get().addresses(host)) {
        try {
          return SmtpClient.connect(route.settings().at(host, address), trace);
        } catch (SmtpException e) {
          lastError = e.getMessage();
        }
      }
    }
    throw SmtpException.connection(lastError, null);
  }

  /** Bounces every pending recipient of one message now (queue bounce ID). */
  public void bounceNow(String id, String reason) throws IOException {
    QueueEntry entry = queue.find(id).orElseThrow(() -> new IOException("no message " + id + " in the queue")).entry();
    Map<String, SmtpReply> all = new LinkedHashMap<>();
    entry.pending().forEach(r -> all.put(r, new SmtpReply(550, List.of("5.0.0 " + reason))));
    settle(entry, all, "");
  }

  /** Applies replies to the envelope, then defers, removes or bounces as they say. */
  private void settle(QueueEntry entry, Map<String, SmtpReply> replies, String connectionError) throws IOException {
    Instant now = clock.instant();
    Map<String, QueueEntry.Status> recipients = new LinkedHashMap<>(entry.recipients());
    List<DeliveryStatusNotification.Failure> failures = new ArrayList<>();
    String lastError = connectionError;
    for (Map.Entry<String, SmtpReply> r : replies.entrySet()) {
      SmtpReply reply = r.getValue();
      if (reply.isPositive()) {
        recipients.put(r.getKey(), new QueueEntry.Status(QueueEntry.State.DELIVERED, reply.toString()));
        delivered++;
      } else if (reply.isPermanent()) {
        recipients.put(r.getKey(), new QueueEntry.Status(QueueEntry.State.BOUNCED, reply.toString()));
        failures.add(new DeliveryStatusNotification.Failure(r.getKey(), reply.enhancedCode().orElse("5.0.0"), reply.toString()));
      } else {
        lastError = reply.toString();
      }
    }
    QueueEntry updated = entry.with(recipients, entry.attempts() + 1, lastError);
    List<String> pending = updated.pending();
    if (!pending.isEmpty() && !entry.arrival().plus(policy.lifetime()).isAfter(now)) {
      for (String r : pending) {
        recipients.put(r, new QueueEntry.Status(QueueEntry.State.BOUNCED, lastError));
        failures.add(new DeliveryStatusNotification.Failure(r, "4.4.7", "delivery time expired; last error: " + lastError));
      }
      updated = entry.with(recipients, entry.attempts() + 1, lastError);
      pending = updated.pending();
    }
    if (!failures.isEmpty()) {
      bounce(entry, failures);
      bounced += failures.size();
    }
    if (pending.isEmpty()) {
      queue.remove(entry.id());
      LOG.debug("queue: {} done ({})", entry.id(), summary(updated));
    } else {
      Instant next = now.plus(policy.backoff(updated.attempts()));
      if (!updated.warned() && !policy.delayWarning().isZero() && !entry.sender().isEmpty()
          && !entry.arrival().plus(policy.delayWarning()).isAfter(now)) {
        warnDelayed(updated, pending);
        updated = updated.warnedNow();
      }
      queue.defer(updated, next);
      deferred += pending.size();
      LOG.info("queue: {} deferred until {} for {} recipient(s): {}", entry.id(), next, pending.size(), LogText.sanitize(lastError));
    }
  }

  private static String summary(QueueEntry e) {
    long ok = e.recipients().values().stream().filter(s -> s.state() == QueueEntry.State.DELIVERED).count();
    return ok + " delivered, " + (e.recipients().size() - ok) + " bounced";
  }

  /** Tells the sender, once, that the message is still waiting (Action: delayed). */
  private void warnDelayed(QueueEntry entry, List<String> pending) throws IOException {
    List<DeliveryStatusNotification.Failure> waiting = new ArrayList<>();
    for (String r : pending) {
      waiting.add(new DeliveryStatusNotification.Failure(r, "4.0.0", entry.lastError().isEmpty() ? "not delivered yet" : entry.lastError()));
    }
    byte[] dsn;
    try (InputStream original = queue.open(entry.id())) {
      dsn = DeliveryStatusNotification.build(policy.reportingMta(), entry, waiting, entry.sender(), original, clock.instant(),
          entry.arrival().plus(policy.lifetime()));
    }
    MailQueue.Pending p = queue.stage("", List.of(entry.sender()), entry.route(), out -> {
      out.write(dsn);
      return dsn.length;
    });
    queue.commit(List.of(p));
    LOG.info("queue: {} delayed; warning {} queued for {}", entry.id(), p.entry().id(), entry.sender());
  }

  /** Queues a DSN to the sender and the postmaster; a bounce itself is never bounced. */
  private void bounce(QueueEntry entry, List<DeliveryStatusNotification.Failure> failures) throws IOException {
    List<String> to = new ArrayList<>();
    if (entry.sender().isEmpty()) {
      // RFC 5321 section 4.5.5: no notification in answer to a notification.
      LOG.error("queue: {} is itself a bounce and could not be delivered ({}); it is not bounced again",
          entry.id(), LogText.sanitize(failures.get(0).diagnostic()));
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
        dsn = DeliveryStatusNotification.build(policy.reportingMta(), entry, failures, recipient, original, clock.instant());
      }
      MailQueue.Pending p = queue.stage("", List.of(recipient), entry.route(), out -> {
        out.write(dsn);
        return dsn.length;
      });
      queue.commit(List.of(p));
      LOG.warn("queue: {} bounced for {} recipient(s); notice {} queued for {}", entry.id(), failures.size(), p.entry().id(), recipient);
    }
  }
}
