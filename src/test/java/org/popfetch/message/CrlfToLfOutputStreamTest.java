package org.popfetch.message;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CrlfToLfOutputStreamTest {
  private static final String WIRE = "a\r\nb\rc\r\r\n\r\nlast\r";
  private static final String STORED = "a\nb\rc\r\n\nlast\r";

  @Test
  void convertsCrlfAndKeepsBareCrAtEverySplit() throws IOException {
    byte[] wire = WIRE.getBytes(ISO_8859_1);
    for (int at = 0; at <= wire.length; at++) {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink);
      out.write(wire, 0, at);
      out.write(wire, at, wire.length - at);
      out.finish();
      assertThat(sink.toString(ISO_8859_1)).as("split at %d", at).isEqualTo(STORED);
    }
  }

  @Test
  void byteByByte() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink)) {
      for (byte b : WIRE.getBytes(ISO_8859_1)) {
        out.write(b);
      }
    }
    assertThat(sink.toString(ISO_8859_1)).isEqualTo(STORED);
  }

  /** Every buffer size from one octet, every split of the input: a CR at every buffer edge. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 7, 16})
  void aCrAtTheEdgeOfTheBufferIsConvertedAsAnywhereElse(int bufferSize) throws IOException {
    byte[] wire = (WIRE + WIRE + "\r\n").getBytes(ISO_8859_1);
    String stored = STORED + STORED + "\n";
    for (int at = 0; at <= wire.length; at++) {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink, new byte[bufferSize]);
      out.write(wire, 0, at);
      out.write(wire, at, wire.length - at);
      out.finish();
      assertThat(sink.toString(ISO_8859_1))
          .as("buffer %d, split at %d", bufferSize, at)
          .isEqualTo(stored);
    }
  }

  @Test
  void randomLineEndsAndChunksComeOutAsAReferenceConversionSays() throws IOException {
    Random random = new Random(7);
    byte[] wire = new byte[200_000];
    for (int i = 0; i < wire.length; i++) {
      int r = random.nextInt(10);
      wire[i] = (byte) (r == 0 ? '\r' : r == 1 ? '\n' : 'a' + r);
    }
    String expected = new String(wire, ISO_8859_1).replace("\r\n", "\n");
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink, new byte[4096]);
    for (int at = 0; at < wire.length; ) {
      int n = Math.min(wire.length - at, random.nextInt(10_000));
      out.write(wire, at, n);
      at += n;
    }
    out.finish();
    assertThat(sink.toString(ISO_8859_1)).isEqualTo(expected);
  }

  @Test
  void writesOnInWholeBuffersNotLineByLine() throws IOException {
    int[] writes = new int[1];
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStream counting =
        new OutputStream() {
          @Override
          public void write(int b) {
            writes[0]++;
            sink.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            writes[0]++;
            sink.write(b, off, len);
          }
        };
    String line = "a line of a message, as short as most\r\n";
    byte[] wire = line.repeat(2_000).getBytes(ISO_8859_1); // about 80 KB
    CrlfToLfOutputStream out = new CrlfToLfOutputStream(counting, new byte[16 * 1024]);
    out.write(wire, 0, wire.length);
    out.finish();
    assertThat(sink.toString(ISO_8859_1)).isEqualTo(line.replace("\r\n", "\n").repeat(2_000));
    assertThat(writes[0]).isLessThanOrEqualTo(wire.length / (16 * 1024) + 1);
  }

  @Test
  void flushWritesOnWhatIsConvertedButHoldsATrailingCr() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink);
    out.write("a\r\nb\r".getBytes(ISO_8859_1));
    out.flush();
    assertThat(sink.toString(ISO_8859_1)).isEqualTo("a\nb");
    out.write('\n');
    out.finish();
    assertThat(sink.toString(ISO_8859_1)).isEqualTo("a\nb\n");
  }
}
