package org.popfetch.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.popfetch.agent.AgentProtocol.AgentProtocolException;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of one connection: opens the destination the client names, stages each message
 * into it, commits or discards what the client says, and answers each frame. Whatever the session
 * staged and did not commit is thrown away when it ends, however it ends.
 */
final class AgentSession {
  private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);

  /** Makes the destination for a target, as the agent's user. */
  interface Opener {
    /**
     * @throws DeliveryException if the mailbox cannot be used, temporarily or for good
     */
    Destination open(AgentTarget target) throws DeliveryException;
  }

  private final InputStream in;
  private final OutputStream out;
  private final Opener opener;
  private final Map<Integer, Destination.Staged> staged = new HashMap<>();
  private Destination destination;
  private int nextId = 1;

  AgentSession(InputStream in, OutputStream out, Opener opener) {
    this.in = in;
    this.out = out;
    this.opener = opener;
  }

  /**
   * Serves the connection until the client closes it.
   *
   * @throws IOException if the stream fails or the client breaks the protocol; the session's
   *     uncommitted messages are discarded all the same
   */
  void serve() throws IOException {
    try {
      AgentProtocol.Head head;
      while ((head = AgentProtocol.readHead(in)) != null) {
        if (destination == null && head.type() != AgentProtocol.OPEN) {
          throw new AgentProtocolException("a frame " + (char) head.type() + " before the open");
        }
        switch (head.type()) {
          case AgentProtocol.OPEN -> open(head);
          case AgentProtocol.MESSAGE -> message(head);
          case AgentProtocol.COMMIT -> commit(head);
          case AgentProtocol.DISCARD -> discard(head);
          default -> throw new AgentProtocolException("a frame " + (char) head.type());
        }
      }
    } finally {
      if (destination != null && !staged.isEmpty()) {
        destination.discard(new ArrayList<>(staged.values()));
        staged.clear();
      }
    }
  }

  private void open(AgentProtocol.Head head) throws IOException {
    if (destination != null) {
      throw new AgentProtocolException("a second open");
    }
    AgentTarget target = AgentTarget.decode(AgentProtocol.readPayload(in, head));
    try {
      destination = opener.open(target);
    } catch (DeliveryException e) {
      refuse(e);
      throw new EOFException("refused " + target.describe()); // nothing more to serve
    }
    AgentProtocol.write(out, AgentProtocol.OK, new byte[0]);
  }

  private void message(AgentProtocol.Head head) throws IOException {
    DataInputStream d = new DataInputStream(in);
    long left = head.length();
    String sender = address(d, left);
    left -= 2 + sender.getBytes(StandardCharsets.UTF_8).length;
    String recipient = address(d, left);
    left -= 2 + recipient.getBytes(StandardCharsets.UTF_8).length;
    if (left < 0) {
      throw new AgentProtocolException("an envelope longer than its frame");
    }
    Envelope envelope;
    try {
      envelope = new Envelope(sender, recipient);
    } catch (IllegalArgumentException e) {
      throw new AgentProtocolException("an envelope with a control character");
    }
    ExactInputStream body = new ExactInputStream(in, left);
    Incoming incoming = new Incoming("", envelope, TraceHeaders.NONE);
    try {
      Destination.Staged s = destination.stage(incoming, body);
      int id = nextId++;
      staged.put(id, s);
      body.requireEnd();
      ByteArrayOutputStream b = new ByteArrayOutputStream(12);
      DataOutputStream o = new DataOutputStream(b);
      o.writeInt(id);
      o.writeLong(s.size());
      AgentProtocol.write(out, AgentProtocol.STAGED, b.toByteArray());
    } catch (DeliveryException e) {
      if (body.torn()) {
        throw new EOFException("the stream ended inside a message"); // the client is gone
      }
      body.drain(); // keeps the frames in step for the answer and what follows
      refuse(e);
    }
  }

  private String address(DataInputStream d, long left) throws IOException {
    int n = d.readUnsignedShort();
    if (n > AgentProtocol.MAX_ADDRESS || n + 2 > left) {
      throw new AgentProtocolException("an envelope address of " + n + " octets");
    }
    byte[] b = d.readNBytes(n);
    if (b.length != n) {
      throw new EOFException("the stream ended inside an envelope");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private void commit(AgentProtocol.Head head) throws IOException {
    List<Destination.Staged> batch = take(head);
    try {
      destination.commit(batch);
    } catch (DeliveryException e) {
      destination.discard(batch);
      refuse(e);
      return;
    }
    AgentProtocol.write(out, AgentProtocol.OK, new byte[0]);
  }

  private void discard(AgentProtocol.Head head) throws IOException {
    destination.discard(take(head));
    AgentProtocol.write(out, AgentProtocol.OK, new byte[0]);
  }

  /** The staged messages a commit or discard names, no longer the session's to discard. */
  private List<Destination.Staged> take(AgentProtocol.Head head) throws IOException {
    int[] ids = AgentProtocol.ids(AgentProtocol.readPayload(in, head));
    List<Destination.Staged> batch = new ArrayList<>(ids.length);
    for (int id : ids) {
      if (!staged.containsKey(id)) {
        throw new AgentProtocolException("message id " + id + " is not staged");
      }
    }
    for (int id : ids) {
      Destination.Staged s = staged.remove(id);
      if (s != null) {
        batch.add(s);
      }
    }
    return batch;
  }

  /** Answers a refusal with the destination's own words. */
  private void refuse(DeliveryException e) throws IOException {
    String reason = LogText.sanitize(e.getMessage(), AgentProtocol.MAX_REASON);
    boolean permanent = e.refusal() instanceof Outcome.Rejected;
    LOG.warn("{}: {}", destination == null ? "open" : destination.describe(), reason);
    AgentProtocol.write(out, permanent ? AgentProtocol.PERMANENT : AgentProtocol.TEMPORARY, reason);
  }

  /**
   * Exactly {@code length} octets of the underlying stream: the end of the stream before them is an
   * {@link EOFException}, never an early end of the message that a mailbox would take as whole.
   */
  static final class ExactInputStream extends InputStream {
    private final InputStream in;
    private long left;
    private boolean torn;

    ExactInputStream(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        torn = true;
        throw new EOFException("the stream ended " + left + " octets before the message did");
      }
      left -= n;
      return n;
    }

    /** Whether the stream ended before the message. */
    boolean torn() {
      return torn;
    }

    /** Fails unless the whole message was read. */
    void requireEnd() throws IOException {
      if (left != 0) {
        throw new AgentProtocolException("the destination left " + left + " octets unread");
      }
    }

    /** Reads and drops the rest of the message. */
    void drain() throws IOException {
      byte[] skip = new byte[64 * 1024];
      while (read(skip, 0, skip.length) > 0) {
        // dropped
      }
    }
  }
}
