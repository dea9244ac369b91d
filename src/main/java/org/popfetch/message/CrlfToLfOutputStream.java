package org.popfetch.message;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a message with CRLF line ends as it is stored locally (Maildir, mbox): each CRLF becomes
 * LF. A CR not followed by LF is data and kept. Streaming, one pass, no line buffering.
 */
public final class CrlfToLfOutputStream extends FilterOutputStream {
  private boolean pendingCr;

  public CrlfToLfOutputStream(OutputStream out) {
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
    if (pendingCr && len > 0) {
      pendingCr = false;
      if (b[off] != '\n') {
        out.write('\r');
      }
    }
    for (int i = off; i < end; i++) {
      if (b[i] == '\r') {
        if (i + 1 < end) {
          if (b[i + 1] == '\n') {
            out.write(b, start, i - start);
            start = i + 1; // drop the CR, keep the LF
          }
        } else {
          out.write(b, start, i - start);
          start = end;
          pendingCr = true; // decide when the next byte comes
        }
      }
    }
    if (start < end) {
      out.write(b, start, end - start);
    }
  }

  /** Writes a CR held back at the very end (a message ending in a bare CR). */
  public void finish() throws IOException {
    if (pendingCr) {
      pendingCr = false;
      out.write('\r');
    }
  }

  @Override
  public void close() throws IOException {
    finish();
    super.close();
  }
}
