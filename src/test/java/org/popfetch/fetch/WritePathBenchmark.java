package org.popfetch.fetch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.delivery.MboxDestination;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.Framing;
import org.popfetch.net.WireInput;

/**
 * The write path as a poll drives it, without the server and without fsync: 16 MiB of RETR
 * responses read from memory (status line, dot-stuffed body with CRLF line ends), each body's
 * header read ({@link HeaderFields}) and the message staged at a Maildir (a file in tmp/, LF line
 * ends, trace fields on top) or an mbox (the batch's spool file, mboxrd-quoted), then the batch
 * discarded. One operation is the 16 MiB, so MiB/s = ops/s x 16; messages/s = ops/s x 16 MiB /
 * messageSize.
 *
 * <p>The files go to {@code java.io.tmpdir} (a tmpfs where there is one, to measure the code, not
 * the disk). Run with {@code src/test/scripts/jmh.sh WritePath}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WritePathBenchmark {
  static final int TOTAL = 16 * 1024 * 1024;

  /** Message size: 4 KiB mail, or one 1 MiB attachment-like message per response. */
  @Param({"4096", "1048576"})
  public int messageSize;

  @Param({"maildir", "mbox"})
  public String destination;

  private byte[] wire;
  private int messages;
  private Path dir;
  private Destination target;
  private final TraceHeaders trace =
      TraceHeaders.forFetch(
          "pop.example.com",
          false,
          "bench.example.com",
          "bench",
          "alice@example.com",
          java.time.Instant.parse("2026-12-01T06:00:00Z"));

  @Setup
  public void build() throws IOException {
    Random random = new Random(42);
    ByteArrayOutputStream out = new ByteArrayOutputStream(TOTAL + TOTAL / 8);
    while (out.size() < TOTAL) {
      out.writeBytes(("+OK " + messageSize + " octets\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(
          ("From: Someone <someone@example.org>\r\nTo: alice@example.com\r\n"
                  + "Subject: a message for the write path\r\n"
                  + "Message-ID: <"
                  + messages
                  + "@example.org>\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      int written = 0;
      while (written < messageSize) {
        // Lines of 40..76 chars as in base64 bodies and text; one in 50 starts with a stuffed dot,
        // one in 200 with "From ".
        int len = 40 + random.nextInt(37);
        int r = random.nextInt(200);
        if (r < 4) {
          out.write('.');
          out.write('.');
          len--;
        } else if (r == 4) {
          out.writeBytes("From ".getBytes(StandardCharsets.US_ASCII));
          len -= 5;
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
    dir = Files.createTempDirectory("popfetch-writepath");
    try {
      target =
          destination.equals("maildir")
              ? new MaildirDestination(dir.resolve("Maildir"), "bench.example.com")
              : new MboxDestination(dir.resolve("mbox"), dir.resolve("spool"));
    } catch (DeliveryException e) {
      throw new IOException(e);
    }
  }

  /** The body as the poll hands it on: with line ends converted where it is read. */
  static InputStream asPolled(DotTerminatedInputStream body) {
    return new WireBody(body);
  }

  @Benchmark
  public long stageAll() throws IOException {
    WireInput in = new WireInput(new ByteArrayInputStream(wire));
    List<Destination.Staged> staged = new ArrayList<>(messages);
    long total = 0;
    for (int m = 0; m < messages; m++) {
      in.readLine(8192);
      DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
      HeaderFields.Read read = HeaderFields.read(asPolled(body));
      Destination.Staged s = target.stage(Incoming.of(trace), read.message());
      staged.add(s);
      total += s.size();
    }
    target.discard(staged);
    return total;
  }

  @TearDown
  public void remove() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
