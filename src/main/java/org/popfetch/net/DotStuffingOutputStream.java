package org.popfetch.net;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of SMTP DATA (RFC 5321 section 4.5.2) written as a stream: every line end becomes CRLF —
 * a bare LF or a bare CR too, since sending them is forbidden (section 2.3.8) and is how SMTP
 * smuggling works — a "." at the start of a line is doubled, and {@link #finish()} ends the data
 * with CRLF "." CRLF, adding a line end first if the message lacks one.
 */
public final class DotStuffingOutputStream extends FilterOutputStream {
  private boolean lineStart = true;
  private boolean pendingCr;
  private long count;

  public DotStuffingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    int start = off;
    for (int i = off; i < end; i++) {
      byte c = b[i];
      if (pendingCr) {
        pendingCr = false;
        if (c == '\n') {
          start = i + 1; // the CRLF was written when the CR came
          continue;
        }
      }
      if (c == '\r' || c == '\n') {
        flushRun(b, start, i);
        out.write('\r');
        out.write('\n');
        count += 2;
        lineStart = true;
        pendingCr = c == '\r';
        start = i + 1;
        continue;
      }
      if (lineStart && c == '.') {
        flushRun(b, start, i);
        out.write('.');
        count++;
        start = i; // the dot itself goes out with the run
      }
      lineStart = false;
    }
    flushRun(b, start, end);
  }

  private void flushRun(byte[] b, int from, int to) throws IOException {
    if (to > from) {
      out.write(b, from, to - from);
      count += to - from;
    }
  }

  /** Octets written to the wire so far. */
  public long count() {
    return count;
  }

  /** Ends the data: a line end if the message lacks one, then "." CRLF. */
  public void finish() throws IOException {
    if (!lineStart) {
      out.write('\r');
      out.write('\n');
    }
    out.write('.');
    out.write('\r');
    out.write('\n');
    out.flush();
  }
}
