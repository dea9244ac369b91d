package org.popfetch.agent;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.net.IoReason;
import org.popfetch.net.LogText;

/**
 * A Maildir or mbox of another local user, written by that user's delivery agent: each message is
 * spooled privately, then sent to the agent with its exact length; the agent stages it in the
 * mailbox and, at {@link #commit}, makes the batch durable and says so. {@code commit} returns only
 * after the agent's "durable"; every other end of it — a refusal, the agent dying, the stream
 * breaking, no answer within the wait — is a {@link DeliveryException}, so the message stays on the
 * server. A temporary failure of the agent is {@code Deferred}, a permanent one {@code Rejected}
 * with nothing rescued (the mail stays on the server for an admin), a broken stream {@code
 * Deferred}.
 *
 * <p>One connection per batch: opened at the batch's first message, closed at its commit. One
 * destination serves one poll at a time, on one thread.
 */
public final class AgentDestination implements Destination {
  /** How long the agent may take to answer a frame, besides the time to move the message. */
  static final Duration REPLY_WAIT = Duration.ofMinutes(2);

  /** The slowest a local agent may take a message in. */
  static final long MIN_RATE = 1 << 20;

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "agent-watchdog");
            t.setDaemon(true);
            return t;
          });

  private static final Cleaner CLEANER = Cleaner.create();

  private final AgentConnector connector;
  private final AgentTarget target;
  private final String user;
  private final Path spoolDir;
  private final Duration replyWait;
  private final byte[] buffer = new byte[64 * 1024];

  /** The open connection of the batch, or null between batches. */
  private Session session;

  /** Counts sessions, so that a message staged through an earlier one is never committed. */
  private int generation;

  /**
   * @param user the local user the agent runs as, for messages
   * @param spoolDir a private directory for a message on its way to the agent
   */
  public static AgentDestination maildir(
      AgentConnector connector, String user, Path maildir, String folder, Path spoolDir) {
    return new AgentDestination(
        connector,
        new AgentTarget(AgentTarget.Kind.MAILDIR, maildir, folder),
        user,
        spoolDir,
        REPLY_WAIT);
  }

  /** As {@link #maildir}, for an mbox. */
  public static AgentDestination mbox(
      AgentConnector connector, String user, Path mbox, Path spoolDir) {
    return new AgentDestination(connector, AgentTarget.mbox(mbox), user, spoolDir, REPLY_WAIT);
  }

  AgentDestination(
      AgentConnector connector,
      AgentTarget target,
      String user,
      Path spoolDir,
      Duration replyWait) {
    this.connector = connector;
    this.target = target;
    this.user = user;
    this.spoolDir = spoolDir;
    this.replyWait = replyWait;
  }

  @Override
  public String describe() {
    return target.describe() + " (as " + user + ")";
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    Path spool = spool(message, wireBody);
    try {
      long length = Files.size(spool);
      Session s = session();
      byte[] sender = address(message.envelope().sender());
      byte[] recipient = address(message.envelope().recipient());
      long frame = 2L + sender.length + 2 + recipient.length + length;
      Reply reply;
      try (InputStream in = Files.newInputStream(spool);
          Watch w = s.watch(replyWait.plusSeconds(length / MIN_RATE))) {
        DataOutputStream out = new DataOutputStream(s.link.out());
        out.writeByte(AgentProtocol.MESSAGE);
        out.writeLong(frame);
        out.writeShort(sender.length);
        out.write(sender);
        out.writeShort(recipient.length);
        out.write(recipient);
        int n;
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
        }
        out.flush();
        reply = s.reply();
      }
      if (reply.type == AgentProtocol.STAGED) {
        s.staged++;
        return new AgentStaged(generation, reply.id, reply.size);
      }
      DeliveryException refused = refusal(reply);
      if (s.staged == 0) {
        endSession(); // nothing of this batch at the agent: no commit needs the connection
      }
      throw refused;
    } catch (DeliveryException e) {
      throw e;
    } catch (IOException e) {
      throw broken(e);
    } finally {
      deleteQuietly(spool);
    }
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    if (batch.isEmpty()) {
      endSession();
      return;
    }
    try {
      Session s = session;
      int[] ids = new int[batch.size()];
      for (int i = 0; i < ids.length; i++) {
        AgentStaged a = (AgentStaged) batch.get(i);
        if (s == null || a.generation != generation) {
          throw DeliveryException.deferred(
              "the delivery agent for "
                  + user
                  + " went away before the commit; the mail stays on the server");
        }
        ids[i] = a.id;
      }
      Reply reply;
      try (Watch w = s.watch(replyWait)) {
        AgentProtocol.write(s.link.out(), AgentProtocol.COMMIT, AgentProtocol.ids(ids));
        reply = s.reply();
      }
      if (reply.type != AgentProtocol.OK) {
        throw refusal(reply);
      }
    } catch (DeliveryException e) {
      throw e;
    } catch (IOException e) {
      throw broken(e);
    } finally {
      endSession();
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    Session s = session;
    if (s == null) {
      return; // the agent threw away whatever the ended session had staged
    }
    int[] ids =
        batch.stream()
            .map(AgentStaged.class::cast)
            .filter(a -> a.generation == generation)
            .mapToInt(a -> a.id)
            .toArray();
    if (ids.length == 0) {
      return;
    }
    try (Watch w = s.watch(replyWait)) {
      AgentProtocol.write(s.link.out(), AgentProtocol.DISCARD, AgentProtocol.ids(ids));
      s.reply();
      s.staged -= ids.length;
      if (s.staged <= 0) {
        endSession();
      }
    } catch (IOException e) {
      endSession(); // closing the stream makes the agent throw the rest away
    }
  }

  /** The batch's session, connected and opened now if this is its first message. */
  private Session session() throws IOException {
    if (session != null) {
      return session;
    }
    AgentLink link = connector.connect();
    Session s = new Session(link);
    CLEANER.register(this, s.link::close);
    try (Watch w = s.watch(replyWait)) {
      AgentProtocol.write(link.out(), AgentProtocol.OPEN, target.encode());
      Reply reply = s.reply();
      if (reply.type != AgentProtocol.OK) {
        link.close();
        throw refusal(reply);
      }
    } catch (IOException e) {
      link.close();
      throw e;
    }
    generation++;
    session = s;
    return s;
  }

  private void endSession() {
    if (session != null) {
      session.link.close();
      session = null;
    }
  }

  /** Trace headers and the message as it came off the wire, into a private file. */
  private Path spool(Incoming message, InputStream wireBody) throws DeliveryException {
    Path file = null;
    try {
      Files.createDirectories(
          spoolDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      file =
          Files.createTempFile(
              spoolDir,
              "agent-",
              ".msg",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
        out.write(message.trace().toBytes("\r\n"));
        int n;
        while ((n = wireBody.read(buffer, 0, buffer.length)) > 0) {
          out.write(buffer, 0, n);
        }
      }
      return file;
    } catch (IOException e) {
      deleteQuietly(file);
      throw DeliveryException.deferred(
          "cannot spool a message for " + describe() + ": " + IoReason.of(e), e);
    }
  }

  private static byte[] address(String a) throws DeliveryException {
    byte[] b = a.getBytes(StandardCharsets.UTF_8);
    if (b.length > AgentProtocol.MAX_ADDRESS) {
      throw DeliveryException.rejected("an envelope address of " + b.length + " octets");
    }
    return b;
  }

  /** The agent's own words, as a refusal of the attempt. */
  private DeliveryException refusal(Reply reply) {
    String reason = "delivery agent for " + user + ": " + reply.reason;
    if (reply.type == AgentProtocol.PERMANENT) {
      return DeliveryException.rejected(reason);
    }
    if (reply.type == AgentProtocol.TEMPORARY) {
      return DeliveryException.deferred(reason);
    }
    endSession();
    return DeliveryException.deferred(
        "delivery agent for "
            + user
            + ": answered "
            + LogText.sanitize(String.valueOf((char) reply.type))
            + " out of turn; the mail stays on the server");
  }

  /** The stream failed: the session is over, and what it staged is lost to it. */
  private DeliveryException broken(IOException e) {
    endSession();
    String why =
        e.getMessage() != null && e.getMessage().startsWith("no delivery agent")
            ? e.getMessage()
            : "delivery agent for " + user + ": " + LogText.sanitize(IoReason.of(e));
    return DeliveryException.deferred(why + "; the mail stays on the server", e);
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // private scratch space
      }
    }
  }

  /** An answer of the agent. */
  private record Reply(int type, int id, long size, String reason) {}

  /** A closer that fires unless the exchange it guards ends first. */
  private interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /** One connection: the stream and how many messages it has staged. */
  private static final class Session {
    final AgentLink link;
    int staged;

    Session(AgentLink link) {
      this.link = link;
    }

    /** Closes the link if the exchange takes longer than {@code wait}. */
    Watch watch(Duration wait) {
      AtomicBoolean fired = new AtomicBoolean();
      ScheduledFuture<?> f =
          WATCHDOG.schedule(
              () -> {
                fired.set(true);
                link.close();
              },
              wait.toMillis(),
              TimeUnit.MILLISECONDS);
      return () -> f.cancel(false);
    }

    /**
     * Reads one answer, bounded.
     *
     * @throws IOException if the stream ends or the answer is malformed
     */
    Reply reply() throws IOException {
      InputStream in = link.in();
      AgentProtocol.Head head = AgentProtocol.readHead(in);
      if (head == null) {
        throw new IOException("the agent closed the connection without an answer");
      }
      byte[] payload = AgentProtocol.readPayload(in, head);
      switch (head.type()) {
        case AgentProtocol.OK:
          return new Reply(head.type(), 0, 0, "");
        case AgentProtocol.STAGED:
          if (payload.length != 12) {
            throw new AgentProtocol.AgentProtocolException("a staged answer of " + payload.length);
          }
          DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload));
          return new Reply(head.type(), d.readInt(), d.readLong(), "");
        case AgentProtocol.TEMPORARY:
        case AgentProtocol.PERMANENT:
          return new Reply(
              head.type(),
              0,
              0,
              LogText.sanitize(AgentProtocol.text(payload), AgentProtocol.MAX_REASON));
        default:
          throw new AgentProtocol.AgentProtocolException(
              "an answer of type " + head.type() + " from the agent");
      }
    }
  }

  private record AgentStaged(int generation, int id, long size) implements Staged {}
}
