package org.popfetch.net;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Hands out bytes in reads no longer than the given chunk, or split at one position. */
final class ChunkedInputStream extends InputStream {
  private final ByteArrayInputStream data;
  private final int chunk;
  private int splitAt;
  private int offset;

  private ChunkedInputStream(byte[] bytes, int chunk, int splitAt) {
    this.data = new ByteArrayInputStream(bytes);
    this.chunk = chunk;
    this.splitAt = splitAt;
  }

  /** Every read returns at most {@code chunk} bytes. */
  static ChunkedInputStream chunked(byte[] bytes, int chunk) {
    return new ChunkedInputStream(bytes, chunk, -1);
  }

  /** The first read ends at {@code splitAt}; later reads return all that is left. */
  static ChunkedInputStream splitAt(byte[] bytes, int splitAt) {
    return new ChunkedInputStream(bytes, Integer.MAX_VALUE, splitAt);
  }

  @Override
  public int read() {
    int b = data.read();
    if (b >= 0) {
      offset++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int max = Math.min(len, chunk);
    if (splitAt > offset) {
      max = Math.min(max, splitAt - offset);
    }
    int n = data.read(b, off, max);
    if (n > 0) {
      offset += n;
    }
    return n;
  }
}
