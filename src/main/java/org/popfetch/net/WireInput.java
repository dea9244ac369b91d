package org.popfetch.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffered byte-level reader for line-oriented protocols.
 *
 * <p>Unlike {@code BufferedReader.readLine()}, a line ends only at LF (a preceding CR is stripped),
 * a lone CR is data, and no line may exceed the caller's limit: a peer that sends an endless line
 * gets a {@link LineTooLongException} once the limit is passed, never an OutOfMemoryError. The
 * buffer is exposed to {@link DotTerminatedInputStream} so that message bodies are scanned in place
 * without a second copy.
 *
 * <p>Not thread-safe: a connection belongs to one thread.
 */
public final class WireInput {
  static final int BUFFER_SIZE = 64 * 1024;

  private final InputStream in;
  final byte[] buf;
  int pos;
  int limit;

  public WireInput(InputStream in) {
    this(in, BUFFER_SIZE);
  }

  WireInput(InputStream in, int bufferSize) {
    this.in = in;
    this.buf = new byte[bufferSize];
  }

  /**
   * Reads one line and returns it without its line end, decoded as ISO-8859-1 so that every byte
   * survives. At most {@code maxLength} octets (line end excluded) are accepted.
   *
   * @throws LineTooLongException if no LF arrives within {@code maxLength + 2} octets
   * @throws ConnectionClosedException if the peer closes before the line ends
   */
  public String readLine(int maxLength) throws IOException {
    if (maxLength + 2 > buf.length) {
      throw new IllegalArgumentException("line limit " + maxLength + " exceeds the buffer");
    }
    int scanned = 0; // octets after pos already searched for LF
    while (true) {
      for (int i = pos + scanned; i < limit; i++) {
        if (buf[i] == '\n') {
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          if (end - pos > maxLength) {
            throw new LineTooLongException(maxLength);
          }
          String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
          pos = i + 1;
          return line;
        }
      }
      scanned = limit - pos;
      if (scanned > maxLength + 1) {
        throw new LineTooLongException(maxLength);
      }
      if (fillMore() < 0) {
        throw new ConnectionClosedException(
            scanned == 0 ? "connection closed by peer" : "connection closed by peer mid-line");
      }
    }
  }

  /** Octets received from the peer and not yet consumed. */
  public int buffered() {
    return limit - pos;
  }

  /**
   * Makes at least one unread byte available, blocking if needed.
   *
   * @return false at end of stream
   */
  boolean ensureAvailable() throws IOException {
    return pos < limit || fillMore() > 0;
  }

  /**
   * Reads more bytes from the stream into the buffer, from its start when all was taken, compacting
   * first when there is no room.
   *
   * @return the number of bytes added, or -1 at end of stream
   */
  private int fillMore() throws IOException {
    if (pos == limit) {
      // Everything taken: read into the whole buffer, not only into what is left after the last
      // read (a few octets, at times, and then a second read at once for the rest).
      pos = 0;
      limit = 0;
    } else if (limit == buf.length) {
      if (pos == 0) {
        throw new IllegalStateException("buffer full");
      }
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n > 0) {
      limit += n;
    }
    return n;
  }
}
