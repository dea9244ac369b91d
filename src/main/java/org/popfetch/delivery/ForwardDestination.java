package org.popfetch.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.queue.MailQueue;

/**
 * Forwards over SMTP or LMTP through the queue: a message counts as delivered, and may be deleted
 * from the POP3 server, once the queue has it on disk (fsynced); the queue runner takes it from
 * there, retrying and bouncing as a mail server would.
 */
public final class ForwardDestination implements Destination {
  private final MailQueue queue;
  private final String route;
  private final List<String> recipients;
  private final Routing routing;
  private final byte[] buffer = new byte[64 * 1024];

  /**
   * @param route the queue route (smarthost) to send through
   * @param recipients fixed recipients; empty: the message's envelope recipient
   */
  public ForwardDestination(MailQueue queue, String route, List<String> recipients) {
    this(queue, route, domain -> route, recipients);
  }

  /**
   * @param route the configured route, as messages name it
   * @param routing the queue route of each recipient's copy: {@code route}, or for direct delivery
   *     one route per recipient domain (one queue entry per domain)
   * @param recipients fixed recipients; empty: the message's envelope recipient
   */
  public ForwardDestination(
      MailQueue queue, String route, Routing routing, List<String> recipients) {
    this.queue = queue;
    this.route = route;
    this.routing = routing;
    this.recipients = List.copyOf(recipients);
  }

  /** Names the queue route of a copy for a recipient in a domain. */
  @FunctionalInterface
  public interface Routing {
    /** The route id for recipients in {@code domain}, as written after the last '@'. */
    String routeFor(String domain);
  }

  @Override
  public String describe() {
    return "smtp via " + route;
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    List<String> to = recipients.isEmpty() ? List.of(message.envelope().recipient()) : recipients;
    Map<String, List<String>> byRoute = new LinkedHashMap<>();
    for (String r : to) {
      String key = routing.routeFor(r.substring(r.lastIndexOf('@') + 1));
      byRoute.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    List<MailQueue.Pending> pending = new ArrayList<>();
    try {
      Path first = null;
      for (Map.Entry<String, List<String>> e : byRoute.entrySet()) {
        if (first == null) {
          MailQueue.Pending p =
              queue.stage(
                  message.envelope().sender(),
                  e.getValue(),
                  e.getKey(),
                  out -> copy(message, wireBody, out));
          pending.add(p);
          first = p.message();
        } else {
          Path source = first;
          pending.add(
              queue.stage(
                  message.envelope().sender(),
                  e.getValue(),
                  e.getKey(),
                  out -> Files.copy(source, out)));
        }
      }
      return new Queued(pending);
    } catch (IOException e) {
      queue.discard(pending);
      throw DeliveryException.deferred(
          "cannot queue a message for " + route + ": " + e.getMessage(), e);
    }
  }

  private long copy(Incoming message, InputStream wireBody, OutputStream out) throws IOException {
    byte[] trace = message.trace().toBytes("\r\n");
    out.write(trace);
    long n = trace.length;
    int r;
    while ((r = wireBody.read(buffer, 0, buffer.length)) > 0) {
      out.write(buffer, 0, r);
      n += r;
    }
    return n;
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    try {
      queue.commit(batch.stream().flatMap(s -> ((Queued) s).pending().stream()).toList());
    } catch (IOException e) {
      throw DeliveryException.deferred("cannot commit to the queue: " + e.getMessage(), e);
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    queue.discard(batch.stream().flatMap(s -> ((Queued) s).pending().stream()).toList());
  }

  private record Queued(List<MailQueue.Pending> pending) implements Staged {
    @Override
    public long size() {
      return pending.get(0).size();
    }
  }
}
