package org.popfetch.net;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DotTerminatedInputStreamTest {

  /** Dot-stuffs a body as a server does and appends the terminating line. */
  static byte[] stuff(String body) {
    StringBuilder sb = new StringBuilder();
    boolean lineStart = true;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (lineStart && c == '.') {
        sb.append('.');
      }
      sb.append(c);
      lineStart = c == '\n' && i > 0 && body.charAt(i - 1) == '\r';
    }
    if (!body.isEmpty() && !body.endsWith("\r\n")) {
      sb.append("\r\n");
    }
    sb.append(".\r\n");
    return sb.toString().getBytes(ISO_8859_1);
  }

  static byte[] readAll(InputStream source, Framing framing) throws IOException {
    WireInput wire = new WireInput(source);
    DotTerminatedInputStream body = new DotTerminatedInputStream(wire, framing);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.transferTo(out);
    assertThat(body.isComplete()).isTrue();
    assertThat(body.count()).isEqualTo(out.size());
    return out.toByteArray();
  }

  private static final String TRICKY =
      "From: a@example.org\r\n\r\n"
          + ".\r\n"
          + "..\r\n"
          + ".x\r\n"
          + "...\r\n"
          + "a line with a bare LF\n.\r\n"
          + "bare CR\r.\r\n"
          + ". \r\n"
          + "NUL \0 bytes \0\0\r\n"
          + "last\r\n";

  @Test
  void unstuffsEveryKindOfDotLine() throws IOException {
    assertThat(
            new String(
                readAll(ChunkedInputStream.chunked(stuff(TRICKY), 1 << 20), Framing.CRLF),
                ISO_8859_1))
        .isEqualTo(TRICKY);
  }

  @Test
  void survivesASplitAtEveryByteBoundary() throws IOException {
    byte[] wire = stuff(TRICKY);
    for (int at = 1; at < wire.length; at++) {
      byte[] got = readAll(ChunkedInputStream.splitAt(wire, at), Framing.CRLF);
      assertThat(new String(got, ISO_8859_1)).as("split at %d", at).isEqualTo(TRICKY);
    }
  }

  /**
   * Bodies made of dots, CRs, LFs and letters, dot-stuffed, read back through small buffers in
   * reads of random sizes: every dot line, CR and "\r\n.\r\n" lands on some buffer or read edge.
   */
  @ParameterizedTest
  @ValueSource(ints = {16, 17, 64, 4096})
  void randomBodiesComeBackWholeThroughAnyBufferAndReadSize(int bufferSize) throws IOException {
    java.util.Random random = new java.util.Random(bufferSize);
    char[] alphabet = {'a', 'b', '.', '.', '\r', '\n', '\r', '\n'};
    for (int round = 0; round < 300; round++) {
      StringBuilder body = new StringBuilder();
      int length = random.nextInt(3000);
      for (int i = 0; i < length; i++) {
        body.append(random.nextInt(4) == 0 ? "\r\n" : alphabet[random.nextInt(alphabet.length)]);
      }
      if (body.length() > 0 && !body.toString().endsWith("\r\n")) {
        body.append("\r\n");
      }
      byte[] wire = concat(stuff(body.toString()), "+OK next\r\n".getBytes(ISO_8859_1));
      WireInput in =
          new WireInput(ChunkedInputStream.chunked(wire, 1 + random.nextInt(40)), bufferSize);
      DotTerminatedInputStream stream = new DotTerminatedInputStream(in, Framing.CRLF);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] dst = new byte[100];
      int n;
      while ((n = stream.read(dst, 0, 1 + random.nextInt(dst.length))) >= 0) {
        got.write(dst, 0, n);
      }
      assertThat(got.toString(ISO_8859_1)).as("round %d", round).isEqualTo(body.toString());
      assertThat(stream.count()).isEqualTo(got.size());
      assertThat(in.readLine(10)).isEqualTo("+OK next");
    }
  }

  /** The body with each CRLF as LF, as a local destination stores it. */
  private static String stored(String body) {
    return body.replace("\r\n", "\n");
  }

  /** Reads a body with {@link DotTerminatedInputStream#readLf} in reads of at most {@code max}. */
  private static String readAllLf(DotTerminatedInputStream body, java.util.Random random, int max)
      throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] dst = new byte[max];
    int n;
    while ((n = body.readLf(dst, 0, 1 + random.nextInt(max))) >= 0) {
      assertThat(n).as("a read that returns nothing").isPositive();
      got.write(dst, 0, n);
    }
    return got.toString(ISO_8859_1);
  }

  @Test
  void readLfUnstuffsAndConvertsCrlfInOnePassAtEverySplit() throws IOException {
    byte[] wire = concat(stuff(TRICKY), "+OK next\r\n".getBytes(ISO_8859_1));
    for (int at = 1; at < wire.length; at++) {
      for (int readSize : new int[] {1, 2, 3, 1000}) {
        WireInput in = new WireInput(ChunkedInputStream.splitAt(wire, at));
        DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] dst = new byte[readSize];
        int n;
        while ((n = body.readLf(dst, 0, readSize)) >= 0) {
          got.write(dst, 0, n);
        }
        assertThat(got.toString(ISO_8859_1))
            .as("split at %d, reads of %d", at, readSize)
            .isEqualTo(stored(TRICKY));
        assertThat(body.count()).as("octets as sent").isEqualTo(TRICKY.length());
        assertThat(in.readLine(100)).isEqualTo("+OK next");
      }
    }
  }

  /**
   * As {@link #randomBodiesComeBackWholeThroughAnyBufferAndReadSize}, read with LF line ends: a CR
   * at the end of a buffer or a read, "\r\n.\r\n" across two reads, lines longer than the buffer,
   * each still ends where it did and is converted as anywhere else.
   */
  @ParameterizedTest
  @ValueSource(ints = {16, 17, 64, 4096})
  void readLfGivesEveryRandomBodyWithLfLineEndsThroughAnyBufferAndReadSize(int bufferSize)
      throws IOException {
    java.util.Random random = new java.util.Random(bufferSize + 1);
    char[] alphabet = {'a', 'b', '.', '.', '\r', '\n', '\r', '\n'};
    for (int round = 0; round < 300; round++) {
      StringBuilder body = new StringBuilder();
      int length = random.nextInt(3000);
      for (int i = 0; i < length; i++) {
        int r = random.nextInt(40);
        if (r == 0) {
          body.append("x".repeat(Math.min(3 * bufferSize, 200)))
              .append('\r'); // past a small buffer
        } else {
          body.append(r < 10 ? "\r\n" : String.valueOf(alphabet[random.nextInt(alphabet.length)]));
        }
      }
      if (body.length() > 0 && !body.toString().endsWith("\r\n")) {
        body.append("\r\n");
      }
      byte[] wire = concat(stuff(body.toString()), "+OK next\r\n".getBytes(ISO_8859_1));
      WireInput in =
          new WireInput(ChunkedInputStream.chunked(wire, 1 + random.nextInt(40)), bufferSize);
      DotTerminatedInputStream stream = new DotTerminatedInputStream(in, Framing.CRLF);
      assertThat(readAllLf(stream, random, 100))
          .as("round %d", round)
          .isEqualTo(stored(body.toString()));
      assertThat(stream.count()).isEqualTo(body.length());
      assertThat(in.readLine(10)).isEqualTo("+OK next");
    }
  }

  @Test
  void readLfKeepsABareCrThatEndsARead() throws IOException {
    // "a\r" arrives alone: the CR is held until "b" shows it is data.
    byte[] wire = "a\rb\r\n.\r\n".getBytes(ISO_8859_1);
    DotTerminatedInputStream body =
        new DotTerminatedInputStream(
            new WireInput(ChunkedInputStream.splitAt(wire, 2)), Framing.CRLF);
    byte[] dst = new byte[100];
    assertThat(body.readLf(dst, 0, 100)).isEqualTo(1);
    assertThat((char) dst[0]).isEqualTo('a');
    int n = body.readLf(dst, 0, 100);
    assertThat(new String(dst, 0, n, ISO_8859_1)).isEqualTo("\rb\n");
    assertThat(body.readLf(dst, 0, 100)).isEqualTo(-1);
  }

  @Test
  void readLfInLfTolerantFramingEndsAtABareLfDot() throws IOException {
    byte[] wire = "a\r\n..b\n.\n+OK\r\n".getBytes(ISO_8859_1);
    WireInput in = new WireInput(ChunkedInputStream.chunked(wire, 2));
    DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.LF_TOLERANT);
    assertThat(readAllLf(body, new java.util.Random(1), 5)).isEqualTo("a\n.b\n");
    assertThat(in.readLine(10)).isEqualTo("+OK");
  }

  @Test
  void readLfHoldsTheLimitToTheOctetsAsSent() throws IOException {
    byte[] wire = stuff("ab\r\ncd\r\n"); // 8 octets as sent, 6 stored
    DotTerminatedInputStream whole =
        new DotTerminatedInputStream(
            new WireInput(new ByteArrayInputStream(wire)), Framing.CRLF, 8);
    assertThat(readAllLf(whole, new java.util.Random(2), 100)).isEqualTo("ab\ncd\n");
    assertThat(whole.count()).isEqualTo(8);

    DotTerminatedInputStream capped =
        new DotTerminatedInputStream(
            new WireInput(new ByteArrayInputStream(wire)), Framing.CRLF, 7);
    byte[] dst = new byte[100];
    assertThatThrownBy(() -> capped.readLf(dst, 0, 100)).isInstanceOf(BodyTooLongException.class);
  }

  @Test
  void survivesOneByteReads() throws IOException {
    assertThat(
            new String(
                readAll(ChunkedInputStream.chunked(stuff(TRICKY), 1), Framing.CRLF), ISO_8859_1))
        .isEqualTo(TRICKY);
  }

  @Test
  void leavesWhatFollowsTheTerminatorUnread() throws IOException {
    byte[] wire = concat(stuff("one\r\n"), "+OK next\r\n".getBytes(ISO_8859_1));
    WireInput in = new WireInput(ChunkedInputStream.chunked(wire, 3));
    new DotTerminatedInputStream(in, Framing.CRLF).transferTo(OutputStreamSink.INSTANCE);
    assertThat(in.readLine(100)).isEqualTo("+OK next");
  }

  @Test
  void emptyBody() throws IOException {
    assertThat(readAll(ChunkedInputStream.chunked(".\r\n".getBytes(ISO_8859_1), 1), Framing.CRLF))
        .isEmpty();
  }

  @Test
  void aBareLfDotLineDoesNotEndTheResponseInStrictFraming() throws IOException {
    String body = "x\n.\nstill body\r\n";
    assertThat(
            new String(
                readAll(ChunkedInputStream.chunked(stuff(body), 7), Framing.CRLF), ISO_8859_1))
        .isEqualTo(body);
  }

  @Test
  void lfTolerantFramingEndsAtABareLfDot() throws IOException {
    byte[] wire = "a\n..b\n.\n+OK\r\n".getBytes(ISO_8859_1);
    WireInput in = new WireInput(ChunkedInputStream.chunked(wire, 2));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new DotTerminatedInputStream(in, Framing.LF_TOLERANT).transferTo(out);
    assertThat(out.toString(ISO_8859_1)).isEqualTo("a\n.b\n");
    assertThat(in.readLine(100)).isEqualTo("+OK");
  }

  @Test
  void aLineOfTenMegabytesPassesThrough() throws IOException {
    byte[] line = new byte[10 * 1024 * 1024];
    Arrays.fill(line, (byte) 'x');
    line[0] = '.';
    line[5_000_000] = '\0';
    byte[] body = concat(line, "\r\n".getBytes(ISO_8859_1));
    byte[] got =
        readAll(
            ChunkedInputStream.chunked(stuff(new String(body, ISO_8859_1)), 1 << 16), Framing.CRLF);
    assertThat(got).isEqualTo(body);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 10, 20, 21, 22})
  void aCutConnectionIsAnErrorNotATruncatedMessage(int cutAfter) {
    byte[] wire = Arrays.copyOf(stuff("line one\r\nline two\r\n"), cutAfter);
    WireInput in = new WireInput(ChunkedInputStream.chunked(wire, 4));
    DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
    assertThatThrownBy(() -> body.transferTo(new ByteArrayOutputStream()))
        .isInstanceOf(ConnectionClosedException.class);
    assertThat(body.isComplete()).isFalse();
    assertThat(body.failure()).isInstanceOf(ConnectionClosedException.class);
    assertThatThrownBy(body::read).isInstanceOf(ConnectionClosedException.class);
  }

  @Test
  void closeDrainsToTheTerminator() throws IOException {
    byte[] wire = concat(stuff("a\r\nb\r\nc\r\n"), "+OK after\r\n".getBytes(ISO_8859_1));
    WireInput in = new WireInput(ChunkedInputStream.chunked(wire, 5));
    DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
    assertThat(body.read()).isEqualTo('a');
    body.close();
    assertThat(body.isComplete()).isTrue();
    assertThat(in.readLine(100)).isEqualTo("+OK after");
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Discards everything. */
  enum OutputStreamSink {
    ;
    static final OutputStream INSTANCE = OutputStream.nullOutputStream();
  }

  @Test
  void aBodyAtItsLimitIsWholeAndOneOctetMoreIsRefused() throws IOException {
    byte[] wire = stuff("0123456789\r\n");
    DotTerminatedInputStream exact =
        new DotTerminatedInputStream(
            new WireInput(new ByteArrayInputStream(wire)), Framing.CRLF, 12);
    assertThat(exact.readAllBytes()).hasSize(12);
    assertThat(exact.isComplete()).isTrue();

    DotTerminatedInputStream capped =
        new DotTerminatedInputStream(
            new WireInput(new ByteArrayInputStream(wire)), Framing.CRLF, 11);
    assertThatThrownBy(capped::readAllBytes)
        .isInstanceOf(BodyTooLongException.class)
        .hasMessageContaining("more than 11 octets");
    assertThat(capped.failure()).isInstanceOf(BodyTooLongException.class);
    assertThat(capped.count()).isLessThanOrEqualTo(11);
  }

  @Test
  void closingACappedEndlessBodyDoesNotDrainIt() {
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 'x';
          }
        };
    DotTerminatedInputStream body =
        new DotTerminatedInputStream(new WireInput(endless), Framing.CRLF, 100_000);
    assertThatThrownBy(body::close).isInstanceOf(BodyTooLongException.class);
  }

  @Test
  void aMessageMayWaitTwiceTheReadTimeoutPlusItsSizeAtTheMinimumRate() {
    Timeouts t = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), 1024);
    assertThat(t.messageWaitNanos(0)).isEqualTo(120_000_000_000L);
    assertThat(t.messageWaitNanos(10L * 1024 * 1024))
        .isEqualTo((120L + 10 * 1024) * 1_000_000_000L);
    assertThat(t.messageWaitNanos(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), 0).messageWaitNanos(81))
        .as("no rate guard, no deadline")
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aBudgetOfWaitingEndsATrickleThatKeepsAboveTheRate() throws Exception {
    InputStream trickle =
        new InputStream() {
          @Override
          public int read() throws IOException {
            try {
              Thread.sleep(2); // the peer's pace under test
            } catch (InterruptedException e) {
              throw new InterruptedIOException();
            }
            return 'x';
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            b[off] = (byte) read();
            return 1;
          }
        };
    MinimumRateInputStream guard = new MinimumRateInputStream(trickle, 10, 50_000_000L);
    guard.budget(200_000_000L, "message 7 (81 octets listed)");
    byte[] buf = new byte[16];
    assertThatThrownBy(
            () -> {
              while (true) {
                guard.read(buf, 0, buf.length);
              }
            })
        .isInstanceOf(PeerTooSlowException.class)
        .hasMessageStartingWith("message 7 (81 octets listed) not complete after");
    guard.restart();
    assertThat(guard.read(buf, 0, buf.length)).as("a new command lifts the budget").isEqualTo(1);
  }
}
