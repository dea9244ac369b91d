package org.popfetch.message;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a message with CRLF line ends as it is stored locally (Maildir, mbox): each CRLF becomes
 * LF. A CR not followed by LF is data and kept. Streaming, one pass, no line buffering.
 *
 * <p>The converted octets are gathered in a buffer of fixed size and written on in buffer-sized
 * writes, not one write per line: nothing reaches the stream below before the buffer is full, or
 * {@link #flush}, {@link #finish} or {@link #close} is called. The stream below needs no buffer of
 * its own.
 */
public final class CrlfToLfOutputStream extends FilterOutputStream {
  private static final int DEFAULT_BUFFER = 8 * 1024;

  private final byte[] converted;
  private final byte[] one = new byte[1];
  private int used;
  private boolean pendingCr;

  public CrlfToLfOutputStream(OutputStream out) {
    this(out, new byte[DEFAULT_BUFFER]);
  }

  /**
   * @param buffer where converted octets are gathered; the caller may reuse it for the next message
   *     once this stream is finished, but must not touch it before
   */
  public CrlfToLfOutputStream(OutputStream out, byte[] buffer) {
    super(out);
    if (buffer.length == 0) {
      throw new IllegalArgumentException("empty buffer");
    }
    this.converted = buffer;
  }

  @Override
  public void write(int b) throws IOException {
    one[0] = (byte) b;
    write(one, 0, 1);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A CR at the very end of {@code b} is held back until the next octet says whether it ends a
   * line.
   */
  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    int end = off + len;
    int i = off;
    if (pendingCr) {
      pendingCr = false;
      if (b[i] != '\n') {
        put((byte) '\r');
      }
    }
    byte[] buf = converted;
    while (i < end) {
      if (used == buf.length) {
        drain();
      }
      // Never more octets out than in: converting the next `room` octets cannot overflow.
      int stop = Math.min(end, i + (buf.length - used));
      int o = used;
      while (i < stop) {
        byte c = b[i++];
        if (c == '\r') {
          if (i == end) {
            pendingCr = true; // decide when the next octet comes
            break;
          }
          if (b[i] == '\n') {
            continue; // drop the CR, keep the LF
          }
        }
        buf[o++] = c;
      }
      used = o;
    }
  }

  /** Writes a CR held back at the very end (a message ending in a bare CR), then what is held. */
  public void finish() throws IOException {
    if (pendingCr) {
      pendingCr = false;
      put((byte) '\r');
    }
    drain();
  }

  /**
   * Writes on what is converted so far (a CR held back stays held) and flushes the stream below.
   */
  @Override
  public void flush() throws IOException {
    drain();
    out.flush();
  }

  @Override
  public void close() throws IOException {
    finish();
    super.close();
  }

  private void put(byte c) throws IOException {
    if (used == converted.length) {
      drain();
    }
    converted[used++] = c;
  }

  private void drain() throws IOException {
    if (used > 0) {
      out.write(converted, 0, used);
      used = 0;
    }
  }
}
