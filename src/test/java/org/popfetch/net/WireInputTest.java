package org.popfetch.net;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WireInputTest {

  @Test
  void onceEverythingIsTakenTheNextReadMayFillTheWholeBuffer() throws IOException {
    byte[] wire = "+OK 1\r\n+OK 22\r\n+OK 333\r\n".getBytes(ISO_8859_1);
    int[] asked = new int[3];
    InputStream source =
        new InputStream() {
          int at;
          int reads;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            asked[reads++] = len;
            int n = reads == 1 ? 7 : Math.min(len, wire.length - at); // the first line, then all
            System.arraycopy(wire, at, b, off, n);
            at += n;
            return n;
          }
        };
    WireInput in = new WireInput(source, 16);
    assertThat(in.readLine(10)).isEqualTo("+OK 1");
    assertThat(in.readLine(10)).isEqualTo("+OK 22");
    // The first read took 7 of 16 octets and was consumed whole: the second had all 16 to fill.
    assertThat(asked[1]).isEqualTo(16);
  }

  @Test
  void readsCrlfAndBareLfLinesAndKeepsLoneCr() throws IOException {
    WireInput in =
        new WireInput(
            ChunkedInputStream.chunked(
                "+OK one\r\n+OK two\n+OK th\rree\r\n".getBytes(ISO_8859_1), 1));
    assertThat(in.readLine(100)).isEqualTo("+OK one");
    assertThat(in.readLine(100)).isEqualTo("+OK two");
    assertThat(in.readLine(100)).isEqualTo("+OK th\rree");
  }

  @Test
  void keepsEveryByte() throws IOException {
    byte[] bytes = new byte[256];
    for (int i = 0; i < 256; i++) {
      bytes[i] = (byte) i;
    }
    bytes['\n'] = 'x';
    byte[] wire = DotTerminatedInputStreamTest.concat(bytes, "\r\n".getBytes(ISO_8859_1));
    assertThat(
            new WireInput(ChunkedInputStream.chunked(wire, 3)).readLine(300).getBytes(ISO_8859_1))
        .isEqualTo(bytes);
  }

  @Test
  void aLineAtTheLimitIsAccepted() throws IOException {
    String line = "x".repeat(512);
    assertThat(
            new WireInput(ChunkedInputStream.chunked((line + "\r\n").getBytes(ISO_8859_1), 100))
                .readLine(512))
        .isEqualTo(line);
  }

  @Test
  void aLineOverTheLimitIsRefused() {
    String line = "x".repeat(513);
    WireInput in =
        new WireInput(ChunkedInputStream.chunked((line + "\r\n").getBytes(ISO_8859_1), 100));
    assertThatThrownBy(() -> in.readLine(512)).isInstanceOf(LineTooLongException.class);
  }

  @Test
  void aHundredMegabyteLineIsRefusedWithoutReadingItAll() {
    EndlessLine endless = new EndlessLine(100L * 1024 * 1024);
    WireInput in = new WireInput(endless);
    assertThatThrownBy(() -> in.readLine(8192)).isInstanceOf(LineTooLongException.class);
    assertThat(endless.served).isLessThanOrEqualTo(WireInput.BUFFER_SIZE);
  }

  @Test
  void endOfStreamMidLineIsAnError() {
    WireInput in = new WireInput(ChunkedInputStream.chunked("+OK no end".getBytes(ISO_8859_1), 4));
    assertThatThrownBy(() -> in.readLine(100))
        .isInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("mid-line");
  }

  /** A stream of 'x' with no line end, counting what it served. */
  static final class EndlessLine extends InputStream {
    private final long length;
    long served;

    EndlessLine(long length) {
      this.length = length;
    }

    @Override
    public int read() {
      return served++ < length ? 'x' : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = (int) Math.min(len, length - served);
      if (n <= 0) {
        return -1;
      }
      Arrays.fill(b, off, off + n, (byte) 'x');
      served += n;
      return n;
    }
  }
}
