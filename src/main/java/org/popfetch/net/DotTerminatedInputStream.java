package org.popfetch.net;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The body of a multi-line response (RFC 1939 section 3), read as a stream: the byte-stuffing "."
 * at the start of a line is removed and the terminating "." line is consumed but not returned. Line
 * ends are passed through as received (CRLF on the wire), and so are NUL bytes, bare CR, bare LF
 * and lines of any length: the stream never holds more than the reader's buffer.
 *
 * <p>{@link #close()} reads on to the terminator so that the connection stays in step with the
 * server even when the caller stops early. A peer that closes the connection before the terminator
 * makes every read throw {@link ConnectionClosedException}: a truncated body is never presented as
 * a complete one.
 *
 * <p>A body may be held to a limit of octets: the read that would pass it throws {@link
 * BodyTooLongException} instead of returning them, and so does {@link #close()}, which therefore
 * never drains an endless body. The connection is then out of step.
 */
public final class DotTerminatedInputStream extends InputStream {
  private enum State {
    LINE_START,
    BODY,
    DOT, // a "." at the start of a line
    DOT_CR, // ".\r" at the start of a line
    DONE
  }

  private final WireInput in;
  private final boolean lfEndsLine;
  private final long limit;
  private State state = State.LINE_START;
  private boolean lastWasCr;

  /** {@link #readLf}: a CR ended the octets taken and is not written yet. */
  private boolean heldCr;

  private long count;
  private IOException failure;
  private final byte[] one = new byte[1];

  public DotTerminatedInputStream(WireInput in, Framing framing) {
    this(in, framing, Long.MAX_VALUE);
  }

  /** A body of at most {@code limit} octets (after unstuffing). */
  public DotTerminatedInputStream(WireInput in, Framing framing, long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit");
    }
    this.in = in;
    this.lfEndsLine = framing == Framing.LF_TOLERANT;
    this.limit = limit;
  }

  /** Octets of body returned so far (after unstuffing). */
  public long count() {
    return count;
  }

  /**
   * The I/O failure that ended reading from the connection, if any. Once set, the connection is out
   * of step and every further read rethrows it.
   */
  public IOException failure() {
    return failure;
  }

  /** True once the terminating line has been consumed. */
  public boolean isComplete() {
    return state == State.DONE;
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Longer than a method should be, on purpose: this is the loop every octet of every message
   * goes through (about 900 MiB/s, ReadPathBenchmark), and its state machine (line start, dot seen,
   * CR seen, done) reads best, and runs fastest, as one scan over the buffer with the state in
   * locals. Splitting it per state would add a call and a state write per octet.
   */
  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
    return read(dst, off, len, false);
  }

  /**
   * As {@link #read(byte[], int, int)}, with the line ends as a message is stored locally: each
   * CRLF of the body comes out as LF, in the same pass that removes the dot-stuffing. A CR not
   * followed by LF is data and comes out as it is; a CR at the end of what has arrived is held back
   * until the next octet says which it is. {@link #count()} and the limit go on counting the body's
   * octets as sent (CRLF), so the size checks are the same in both forms. Reads of both kinds may
   * follow each other, but a CR held back by this one is then lost: keep to one kind per body.
   *
   * @return the octets put in {@code dst}, or -1 after the terminating line
   */
  public int readLf(byte[] dst, int off, int len) throws IOException {
    return read(dst, off, len, true);
  }

  private int read(byte[] dst, int off, int len, boolean lf) throws IOException {
    Objects.checkFromIndexSize(off, len, dst.length);
    if (failure != null) {
      throw failure;
    }
    if (state == State.DONE) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    byte[] buf = in.buf;
    int n = 0; // octets put in dst
    int taken = 0; // octets of the body consumed for them: more than n where a CR was dropped
    while (n < len && state != State.DONE) {
      if (in.pos == in.limit) {
        if (n > 0) {
          break; // hand over what we have rather than block for more
        }
        try {
          if (!in.ensureAvailable()) {
            throw new ConnectionClosedException(
                "connection closed by peer after "
                    + (count + taken)
                    + " octets of a multi-line response");
          }
        } catch (IOException e) {
          failure = e;
          throw e;
        }
      }
      switch (state) {
        case LINE_START -> {
          if (buf[in.pos] == '.') {
            in.pos++;
            state = State.DOT;
          } else {
            state = State.BODY;
          }
        }
        case BODY -> {
          if (lf) {
            if (heldCr && buf[in.pos] != '\n') {
              // The CR that ended the last read is followed by data: it was data too.
              heldCr = false;
              dst[off + n++] = '\r';
              continue;
            }
            int before = in.pos;
            n += lfLines(buf, dst, off + n, len - n);
            taken += in.pos - before;
            continue;
          }
          // Whole lines at a time, as long as the next line starts with data and not a dot:
          // one copy for many lines.
          int start = in.pos;
          int end = Math.min(in.limit, start + (len - n));
          int i = start;
          while (true) {
            i = LfScan.indexOfLf(buf, i, end);
            if (i == end) {
              lastWasCr = buf[i - 1] == '\r';
              break;
            }
            boolean crBefore = i > start ? buf[i - 1] == '\r' : lastWasCr;
            i++; // include the LF
            lastWasCr = false;
            if (crBefore || lfEndsLine) {
              if (i < end && buf[i] != '.') {
                continue; // the next line starts with data: still the body
              }
              state = State.LINE_START;
              break;
            }
          }
          int chunk = i - start;
          System.arraycopy(buf, start, dst, off + n, chunk);
          n += chunk;
          taken += chunk;
          in.pos = i;
        }
        case DOT -> {
          byte b = buf[in.pos];
          if (b == '\r') {
            in.pos++;
            state = State.DOT_CR;
          } else if (b == '\n' && lfEndsLine) {
            in.pos++;
            state = State.DONE;
          } else {
            state = State.BODY; // a stuffed dot: drop it, the byte after it is data
          }
        }
        case DOT_CR -> {
          if (buf[in.pos] == '\n') {
            in.pos++;
            state = State.DONE;
          } else {
            // ".\r" followed by data: the dot was stuffing, the CR is data (and, followed by
            // data, stays a CR in both forms)
            dst[off + n++] = '\r';
            taken++;
            lastWasCr = true;
            state = State.BODY;
          }
        }
        case DONE -> throw new AssertionError();
      }
    }
    if (taken > limit - count) {
      // The octets past the limit are not handed out: a capped body is never mistaken for a
      // whole one.
      failure = new BodyTooLongException(limit);
      throw failure;
    }
    count += taken;
    return n == 0 && state == State.DONE ? -1 : n;
  }

  /**
   * The body state of {@link #readLf}: copies whole lines from the reader's buffer to {@code dst},
   * each CRLF as LF, taking at most {@code room} octets (the output is never longer than what is
   * taken), as long as the next line starts with data. Leaves the reader after what it took and
   * returns the octets put in {@code dst}.
   */
  private int lfLines(byte[] buf, byte[] dst, int at, int room) {
    int start = in.pos;
    int end = Math.min(in.limit, start + room);
    int i = start;
    int from = start; // the first octet not yet copied
    int o = at;
    while (true) {
      i = LfScan.indexOfLf(buf, i, end);
      if (i == end) {
        // No line end before the end of what may be taken: a CR at the very end waits for the
        // next octet.
        boolean cr = buf[i - 1] == '\r' && i - 1 >= from;
        int stop = cr ? i - 1 : i;
        System.arraycopy(buf, from, dst, o, stop - from);
        o += stop - from;
        heldCr = cr;
        lastWasCr = buf[i - 1] == '\r';
        break;
      }
      boolean crHere = i > from && buf[i - 1] == '\r';
      boolean crBefore = i > start ? buf[i - 1] == '\r' : lastWasCr;
      int stop = crHere ? i - 1 : i; // a CR held back from the last read is simply not written
      System.arraycopy(buf, from, dst, o, stop - from);
      o += stop - from;
      dst[o++] = '\n';
      heldCr = false;
      lastWasCr = false;
      i++;
      from = i;
      if (crBefore || lfEndsLine) {
        if (i < end && buf[i] != '.') {
          continue; // the next line starts with data: still the body
        }
        state = State.LINE_START;
        break;
      }
    }
    in.pos = i;
    return o - at;
  }

  @Override
  public int available() {
    return state == State.DONE ? 0 : Math.max(0, in.buffered() - 5);
  }

  /** Reads and discards the rest of the body, up to and including the terminating line. */
  @Override
  public void close() throws IOException {
    if (state == State.DONE) {
      return; // read to the end, as nearly always: nothing to drain
    }
    byte[] sink = new byte[8192];
    while (state != State.DONE) {
      read(sink, 0, sink.length);
    }
  }
}
