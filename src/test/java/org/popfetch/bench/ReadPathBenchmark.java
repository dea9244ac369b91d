package org.popfetch.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.Framing;
import org.popfetch.net.WireInput;

/**
 * The POP3 read path: a stream of 64 MiB of RETR responses (status line, dot-stuffed body,
 * terminator) read through {@link WireInput} and {@link DotTerminatedInputStream}, as sent or with
 * LF line ends ({@link DotTerminatedInputStream#readLf}, the form a Maildir or an mbox takes). One
 * operation is one pass over the 64 MiB, so MiB/s = ops/s x 64.
 *
 * <p>Run with {@code src/test/scripts/jmh.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadPathBenchmark {
  static final int TOTAL = 64 * 1024 * 1024;

  /** Message size: 4 KiB mail, or one big 1 MiB attachment-like message per response. */
  @Param({"4096", "1048576"})
  public int messageSize;

  private byte[] wire;
  private int messages;
  private final byte[] sink = new byte[64 * 1024];

  @Setup
  public void build() {
    Random random = new Random(42);
    ByteArrayOutputStream out = new ByteArrayOutputStream(TOTAL + TOTAL / 8);
    while (out.size() < TOTAL) {
      out.writeBytes(("+OK " + messageSize + " octets\r\n").getBytes(StandardCharsets.US_ASCII));
      int written = 0;
      while (written < messageSize) {
        // Lines of 40..76 chars as in base64 bodies and text; one in 50 starts with a stuffed dot.
        int len = 40 + random.nextInt(37);
        if (random.nextInt(50) == 0) {
          out.write('.');
          out.write('.');
          len--;
        }
        for (int i = 0; i < len; i++) {
          out.write('A' + random.nextInt(26));
        }
        out.write('\r');
        out.write('\n');
        written += len + 2;
      }
      out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
      messages++;
    }
    wire = out.toByteArray();
  }

  @Benchmark
  public long readAllResponses() throws IOException {
    WireInput in = new WireInput(new ByteArrayInputStream(wire));
    long total = 0;
    for (int m = 0; m < messages; m++) {
      in.readLine(8192);
      DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
      int n;
      while ((n = body.read(sink, 0, sink.length)) > 0) {
        total += n;
      }
    }
    return total;
  }

  /** As {@link #readAllResponses}, with LF line ends as a local destination reads the body. */
  @Benchmark
  public long readAllResponsesLf() throws IOException {
    WireInput in = new WireInput(new ByteArrayInputStream(wire));
    long total = 0;
    for (int m = 0; m < messages; m++) {
      in.readLine(8192);
      DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
      int n;
      while ((n = body.readLf(sink, 0, sink.length)) > 0) {
        total += n;
      }
    }
    return total;
  }
}
