package org.popfetch.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.queue.MailQueue;

/**
 * Forwards over SMTP or LMTP through the queue: a message counts as delivered, and may be
 * deleted from the POP3 server, once the queue has it on disk (fsynced); the queue runner takes
 * it from there, retrying and bouncing as a mail server would.
 */
public final class ForwardDestination implements Destination {
  private final MailQueue queue;
  private final String route;
  private final List<String> recipients;
  private final byte[] buffer = new byte[64 * 1024];

  /**
   * @param route the queue route (smarthost) to send through
   * @param recipients fixed recipients; empty: the message's envelope recipient
   */
  public ForwardDestination(MailQueue queue, String route, List<String> recipients) {
    this.queue = queue;
    this.route = route;
    this.recipients = List.copyOf(recipients);
  }

  @Override
  public String describe() {
    return "smtp via " + route;
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    List<String> to = recipients.isEmpty() ? List.of(message.envelope().recipient()) : recipients;
    try {
      MailQueue.Pending p =
          queue.stage(
              message.envelope().sender(),
              to,
              route,
              out -> {
                byte[] trace = message.trace().toBytes("\r\n");
                out.write(trace);
                long n = trace.length;
                int r;
                while ((r = wireBody.read(buffer, 0, buffer.length)) > 0) {
                  out.write(buffer, 0, r);
                  n += r;
                }
                return n;
              });
      return new Queued(p);
    } catch (IOException e) {
      throw new DeliveryException("cannot queue a message for " + route + ": " + e.getMessage(), true, e);
    }
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    try {
      queue.commit(batch.stream().map(s -> ((Queued) s).pending()).toList());
    } catch (IOException e) {
      throw new DeliveryException("cannot commit to the queue: " + e.getMessage(), true, e);
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    queue.discard(batch.stream().map(s -> ((Queued) s).pending()).toList());
  }

  private record Queued(MailQueue.Pending pending) implements Staged {
    @Override
    public long size() {
      return pending.size();
    }
  }
}
