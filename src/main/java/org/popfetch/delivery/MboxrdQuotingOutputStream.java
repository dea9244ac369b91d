package org.popfetch.delivery;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * mboxrd quoting (LF text in, LF text out): a line that matches {@code ^>*From } gets one more
 * "&gt;" in front, so "From " can never start a line inside a message and a reader that strips one
 * "&gt;" from such lines gets the message back exactly.
 */
final class MboxrdQuotingOutputStream extends FilterOutputStream {
  private static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};

  private final byte[] pending = new byte[256];
  private int pendingLength;
  private boolean lineStart = true;

  MboxrdQuotingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    int i = off;
    while (i < end) {
      if (!lineStart) {
        int start = i;
        while (i < end && b[i] != '\n') {
          i++;
        }
        if (i < end) {
          i++; // the LF
          lineStart = true;
        }
        out.write(b, start, i - start);
        continue;
      }
      decide(b[i++]);
    }
  }

  /** One more byte at the start of a line: is this line a "From " line (after any '>')? */
  private void decide(byte c) throws IOException {
    if (pendingLength == pending.length) {
      // Hundreds of '>': write the run out and keep going. Should "From " follow, the extra
      // '>' can still go after it, since one '>' of the run is as good as another.
      int quotes = 0;
      while (quotes < pendingLength && pending[quotes] == '>') {
        quotes++;
      }
      out.write(pending, 0, quotes);
      System.arraycopy(pending, quotes, pending, 0, pendingLength - quotes);
      pendingLength -= quotes;
    }
    pending[pendingLength++] = c;
    int quotes = 0;
    while (quotes < pendingLength && pending[quotes] == '>') {
      quotes++;
    }
    int matched = pendingLength - quotes;
    for (int k = 0; k < matched; k++) {
      if (pending[quotes + k] != FROM[k]) {
        flushPending(false);
        lineStart = c == '\n';
        return;
      }
    }
    if (matched == FROM.length) {
      flushPending(true);
      lineStart = false;
    }
  }

  private void flushPending(boolean quote) throws IOException {
    if (quote) {
      out.write('>');
    }
    out.write(pending, 0, pendingLength);
    pendingLength = 0;
  }

  /** Writes bytes still held at the end of the message: they cannot become a "From " line. */
  void finish() throws IOException {
    flushPending(false);
  }
}
