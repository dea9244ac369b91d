package org.popfetch.message;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A message as a stream: octets already in hand at its front (trace fields to put on top, the
 * header block {@link HeaderFields} read), then the rest of a stream. Read as it came with {@link
 * #read(byte[], int, int)}, or with LF line ends with {@link #readLf}: the front is converted from
 * where it lies, and a rest that is itself {@link LfReadable} (the body as it comes off the wire)
 * converts its own octets as it reads them, so the message is gone over once. A CRLF split between
 * the front and the rest is still one line end.
 *
 * <p>One kind of read per message: a CR held back by {@link #readLf} is not seen by {@link #read}.
 */
public final class MessageStream extends InputStream implements LfReadable {
  private static final int SPARE = 8 * 1024;

  private byte[] front;
  private int frontPos;
  private int frontEnd;
  private final InputStream rest;

  /** Reads of a rest that cannot convert by itself go here first. */
  private byte[] spare;

  /** {@link #readLf}: the last octet taken was a CR, not written yet. */
  private boolean pendingCr;

  /** {@code front[off, off + len)}, then {@code rest}; the array is not copied. */
  public MessageStream(byte[] front, int off, int len, InputStream rest) {
    Objects.checkFromIndexSize(off, len, front.length);
    this.front = front;
    this.frontPos = off;
    this.frontEnd = off + len;
    this.rest = rest;
  }

  /** All of {@code front}, then {@code rest}. */
  public MessageStream(byte[] front, InputStream rest) {
    this(front, 0, front.length, rest);
  }

  @Override
  public int read() throws IOException {
    return frontPos < frontEnd ? front[frontPos++] & 0xff : rest.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (frontPos < frontEnd) {
      int n = Math.min(len, frontEnd - frontPos);
      System.arraycopy(front, frontPos, b, off, n);
      frontPos += n;
      return n;
    }
    return rest.read(b, off, len);
  }

  @Override
  public int readLf(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (frontPos < frontEnd) {
        int n = fromFront(b, off, len);
        if (n > 0) {
          return n;
        }
        continue; // the front ended in a CR: what follows decides
      }
      if (!pendingCr && rest instanceof LfReadable converting) {
        return converting.readLf(b, off, len);
      }
      // The rest as it comes, converted from the spare buffer: a rest that cannot convert, or
      // the octet after a CR that ended the front.
      if (spare == null) {
        spare = new byte[SPARE];
      }
      int got = rest.read(spare, 0, spare.length);
      if (got < 0) {
        if (pendingCr) {
          pendingCr = false; // a message that ends in a bare CR keeps it
          b[off] = '\r';
          return 1;
        }
        return -1;
      }
      front = spare;
      frontPos = 0;
      frontEnd = got;
    }
  }

  /** Converts from the front into {@code b}; 0 if all it had was a CR still to be decided. */
  private int fromFront(byte[] b, int off, int len) {
    int o = off;
    if (pendingCr) {
      pendingCr = false;
      if (front[frontPos] == '\n') {
        frontPos++;
        b[o++] = '\n';
      } else {
        b[o++] = '\r';
      }
    }
    int take = Math.min(frontEnd - frontPos, off + len - o);
    o += convert(front, frontPos, frontPos + take, b, o);
    frontPos += take;
    return o - off;
  }

  /**
   * Copies {@code src[from, to)} to {@code dst} at {@code at} with each CRLF as LF, run by run
   * between CRs; a CR at the very end is not written but left pending. Returns the octets written,
   * never more than were taken.
   */
  private int convert(byte[] src, int from, int to, byte[] dst, int at) {
    int o = at;
    int i = from;
    while (i < to) {
      int cr = i;
      while (cr < to && src[cr] != '\r') {
        cr++;
      }
      System.arraycopy(src, i, dst, o, cr - i);
      o += cr - i;
      if (cr == to) {
        break;
      }
      if (cr + 1 == to) {
        pendingCr = true;
        break;
      }
      if (src[cr + 1] != '\n') {
        dst[o++] = '\r'; // a bare CR is data
      }
      i = cr + 1;
    }
    return o - at;
  }

  @Override
  public int available() throws IOException {
    return frontPos < frontEnd ? frontEnd - frontPos : rest.available();
  }

  /** Closes the rest (a body on the wire reads on to its end). */
  @Override
  public void close() throws IOException {
    frontPos = frontEnd;
    rest.close();
  }
}
