package org.popfetch.message;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageStreamTest {
  private static final String WIRE = "a\r\nb\rc\r\r\n\r\nlast\r";
  private static final String STORED = "a\nb\rc\r\n\nlast\r";

  /** Hands out its octets in reads of at most {@code chunk}. */
  private static InputStream chunked(byte[] bytes, int chunk) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  private static String readAllLf(LfReadable in, int readSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[readSize];
    int n;
    while ((n = in.readLf(buf, 0, readSize)) >= 0) {
      assertThat(n).as("a read that returns nothing").isPositive();
      out.write(buf, 0, n);
    }
    return out.toString(ISO_8859_1);
  }

  /**
   * Every split between the front and the rest, the rest in reads of every size, reads of every
   * size: a CR at the end of the front, of a read or of a buffer is converted as anywhere else, and
   * a final bare CR is kept.
   */
  @Test
  void convertsCrlfAndKeepsBareCrAtEverySplitAndReadSize() throws IOException {
    byte[] wire = (WIRE + WIRE).getBytes(ISO_8859_1);
    for (int at = 0; at <= wire.length; at++) {
      for (int chunk = 1; chunk <= 5; chunk++) {
        for (int readSize : new int[] {1, 2, 3, 7, 100}) {
          MessageStream s =
              new MessageStream(
                  wire, 0, at, chunked(Arrays.copyOfRange(wire, at, wire.length), chunk));
          assertThat(readAllLf(s, readSize))
              .as("split at %d, rest in %d, reads of %d", at, chunk, readSize)
              .isEqualTo(STORED + STORED);
        }
      }
    }
  }

  @Test
  void readsAsSentGiveTheFrontThenTheRestUnchanged() throws IOException {
    byte[] wire = WIRE.getBytes(ISO_8859_1);
    MessageStream s = new MessageStream(wire, 0, 4, new ByteArrayInputStream(wire, 4, 100));
    assertThat(s.read()).isEqualTo('a');
    assertThat(new String(s.readAllBytes(), ISO_8859_1)).isEqualTo(WIRE.substring(1));
  }

  /** A rest that converts by itself is asked to: its octets are not gone over twice. */
  @Test
  void aRestThatConvertsByItselfIsReadWithLfLineEnds() throws IOException {
    ConvertingRest rest = new ConvertingRest("b\r\nc\r\n".getBytes(ISO_8859_1));
    MessageStream s = new MessageStream("a\r\n".getBytes(ISO_8859_1), rest);
    assertThat(readAllLf(s, 100)).isEqualTo("a\nb\nc\n");
    assertThat(rest.convertingReads).isPositive();
    assertThat(rest.plainReads).isZero();
  }

  /** Unless the front ended in a CR: the rest's first octets decide it, then it converts. */
  @Test
  void aCrAtTheEndOfTheFrontIsDecidedByTheRest() throws IOException {
    ConvertingRest rest = new ConvertingRest("\nb\r\nc\r\n".getBytes(ISO_8859_1), 2);
    MessageStream s = new MessageStream("a\r".getBytes(ISO_8859_1), rest);
    assertThat(readAllLf(s, 100)).isEqualTo("a\nb\nc\n");
    assertThat(rest.plainReads).isEqualTo(1);
    assertThat(rest.convertingReads).isPositive();
  }

  @Test
  void frontsNestAsATraceOnTopOfAReadHeader() throws IOException {
    MessageStream header =
        new MessageStream(
            "S: x\r".getBytes(ISO_8859_1), chunked("\n\r\nbody\r\n".getBytes(ISO_8859_1), 1));
    MessageStream withTrace = new MessageStream("Received: y\n".getBytes(ISO_8859_1), header);
    assertThat(readAllLf(withTrace, 3)).isEqualTo("Received: y\nS: x\n\nbody\n");
  }

  @Test
  void randomLineEndsInRandomReadsComeOutAsAReferenceConversionSays() throws IOException {
    Random random = new Random(7);
    byte[] wire = new byte[200_000];
    for (int i = 0; i < wire.length; i++) {
      int r = random.nextInt(10);
      wire[i] = (byte) (r == 0 ? '\r' : r == 1 ? '\n' : 'a' + r);
    }
    String expected = new String(wire, ISO_8859_1).replace("\r\n", "\n");
    int at = random.nextInt(10_000);
    MessageStream s =
        new MessageStream(
            wire,
            0,
            at,
            chunked(Arrays.copyOfRange(wire, at, wire.length), 1 + random.nextInt(5000)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[10_000];
    int n;
    while ((n = s.readLf(buf, 0, 1 + random.nextInt(buf.length))) >= 0) {
      out.write(buf, 0, n);
    }
    assertThat(out.toString(ISO_8859_1)).isEqualTo(expected);
  }

  /** A rest that converts its own line ends, counting reads of each kind. */
  private static final class ConvertingRest extends InputStream implements LfReadable {
    private final ByteArrayInputStream data;
    private final int plainChunk;
    int plainReads;
    int convertingReads;

    ConvertingRest(byte[] bytes) {
      this(bytes, Integer.MAX_VALUE);
    }

    ConvertingRest(byte[] bytes, int plainChunk) {
      this.data = new ByteArrayInputStream(bytes);
      this.plainChunk = plainChunk;
    }

    @Override
    public int read() {
      plainReads++;
      return data.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      plainReads++;
      return data.read(b, off, Math.min(len, plainChunk));
    }

    @Override
    public int readLf(byte[] b, int off, int len) throws IOException {
      convertingReads++;
      byte[] rest = data.readAllBytes();
      if (rest.length == 0) {
        return -1;
      }
      byte[] lf = new String(rest, ISO_8859_1).replace("\r\n", "\n").getBytes(ISO_8859_1);
      System.arraycopy(lf, 0, b, off, lf.length); // the tests' reads are large enough
      return lf.length;
    }
  }
}
