package org.popfetch.agent;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The frames between the service and a delivery agent. Every frame is a type octet, a length (8
 * octets, big-endian) and that many octets of payload; the reader refuses a length over the type's
 * bound before reading any of it, so a peer can make neither side allocate or wait for more than
 * the bound.
 *
 * <p>Client to agent, in this order: {@link #OPEN} once (the destination), then any number of
 * {@link #MESSAGE}, {@link #COMMIT} and {@link #DISCARD}. The agent answers each frame with one
 * frame: {@link #OK} (opened, committed: durable, discarded), {@link #STAGED} (a message id and its
 * size), {@link #TEMPORARY} or {@link #PERMANENT} (the reason, in the agent's words). The stream
 * ending, or anything out of order, ends the session: the agent throws away whatever it staged and
 * has not committed.
 */
final class AgentProtocol {
  private AgentProtocol() {}

  /** The version in an {@link #OPEN} frame. */
  static final String VERSION = "1";

  static final int OPEN = 'D';
  static final int MESSAGE = 'M';
  static final int COMMIT = 'C';
  static final int DISCARD = 'X';

  static final int OK = 'K';
  static final int STAGED = 'S';
  static final int TEMPORARY = 'T';
  static final int PERMANENT = 'P';

  /** The payload of any frame but a message: a destination, a reason, a list of ids. */
  static final int MAX_CONTROL = 64 * 1024;

  /** Ids in one commit or discard: more than a batch ever holds. */
  static final int MAX_IDS = MAX_CONTROL / 4;

  /** A reason as the client keeps it. */
  static final int MAX_REASON = 2000;

  /** An envelope address in a message frame (RFC 5321 paths are at most 256). */
  static final int MAX_ADDRESS = 1000;

  /** A message frame: the largest message a poll takes (4 GiB) and its envelope. */
  static final long MAX_MESSAGE = (4L << 30) + 2 * (MAX_ADDRESS + 2);

  /** The head of a frame; its payload is still to be read, {@code length} octets of it. */
  record Head(int type, long length) {}

  /**
   * Reads the head of the next frame.
   *
   * @return null if the stream ended cleanly before a frame
   * @throws AgentProtocolException if the type is unknown or the length over its bound
   * @throws EOFException if the stream ends inside the head
   */
  static Head readHead(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      return null;
    }
    long length = new DataInputStream(in).readLong();
    long max =
        switch (type) {
          case MESSAGE -> MAX_MESSAGE;
          case OPEN, COMMIT, DISCARD, OK, STAGED, TEMPORARY, PERMANENT -> MAX_CONTROL;
          default -> throw new AgentProtocolException("unknown frame type " + type);
        };
    if (length < 0 || length > max) {
      throw new AgentProtocolException(
          "frame " + (char) type + " of " + length + " octets (at most " + max + ")");
    }
    return new Head(type, length);
  }

  /** Reads a control frame's whole payload (its head already read; bounded by readHead). */
  static byte[] readPayload(InputStream in, Head head) throws IOException {
    byte[] payload = in.readNBytes((int) head.length());
    if (payload.length != head.length()) {
      throw new EOFException("the stream ended inside a frame");
    }
    return payload;
  }

  /** Writes a control frame and flushes it. */
  static void write(OutputStream out, int type, byte[] payload) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeByte(type);
    d.writeLong(payload.length);
    d.write(payload);
    d.flush();
  }

  static void write(OutputStream out, int type, String text) throws IOException {
    write(out, type, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A list of message ids, as a commit or discard carries them. */
  static byte[] ids(int[] ids) {
    byte[] b = new byte[ids.length * 4];
    for (int i = 0; i < ids.length; i++) {
      b[4 * i] = (byte) (ids[i] >>> 24);
      b[4 * i + 1] = (byte) (ids[i] >>> 16);
      b[4 * i + 2] = (byte) (ids[i] >>> 8);
      b[4 * i + 3] = (byte) ids[i];
    }
    return b;
  }

  static int[] ids(byte[] payload) throws AgentProtocolException {
    if (payload.length % 4 != 0) {
      throw new AgentProtocolException("a list of ids of " + payload.length + " octets");
    }
    int[] ids = new int[payload.length / 4];
    for (int i = 0; i < ids.length; i++) {
      ids[i] =
          (payload[4 * i] & 0xff) << 24
              | (payload[4 * i + 1] & 0xff) << 16
              | (payload[4 * i + 2] & 0xff) << 8
              | payload[4 * i + 3] & 0xff;
    }
    return ids;
  }

  /** A frame's text, decoded strictly enough for a log: malformed octets become U+FFFD. */
  static String text(byte[] payload) {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** The peer broke the protocol: a frame of an unknown type, too long, or out of order. */
  static final class AgentProtocolException extends IOException {
    AgentProtocolException(String message) {
      super(message);
    }
  }
}
