package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.delivery.MaildirDestination;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.Framing;
import org.popfetch.net.WireInput;

/**
 * A body from the wire into a Maildir the way a poll takes it: dot-unstuffed and CRLF made LF in
 * one pass ({@link WireBody}, read by the Maildir with LF line ends), behind the header block that
 * {@link HeaderFields} read first. Wherever the socket's reads end (on a CR of a CRLF, inside
 * "\r\n.\r\n", at the end of the header read) the file holds the message octet for octet, also when
 * every header is read into the same buffer, as a batch reads them.
 */
class WireBodyTest {
  @TempDir Path dir;

  /** A header, then dot lines, bare CRs and LFs, a line longer than every buffer, a bare CR. */
  private static String message() {
    StringBuilder m = new StringBuilder();
    m.append("From: a@example.org\r\nX-Drop: 1\r\n continued\r\nSubject: edges\r\n\r\n");
    m.append(".\r\n..\r\n.x\r\nbare CR\r.\r\nbare LF\n.\r\n\r\n\r\r\n");
    m.append("y".repeat(100_000)).append("\r\n");
    m.append("z\r\rend\r\n");
    return m.toString();
  }

  private static byte[] stuffed(String body) {
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
    return sb.append(".\r\n+OK next\r\n").toString().getBytes(ISO_8859_1);
  }

  /** The first read ends at {@code at}; later reads take at most 7,000 octets. */
  private static InputStream socket(byte[] wire, int at) {
    return new ByteArrayInputStream(wire) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        int max = pos < at ? at - pos : 7_000;
        return super.read(b, off, Math.min(len, max));
      }
    };
  }

  @Test
  void theFileHoldsTheMessageWithLfLineEndsWhereverTheReadsEnd() throws Exception {
    String message = message();
    byte[] wire = stuffed(message);
    TraceHeaders trace = new TraceHeaders(List.of("Delivered-To: a@b"));
    String expected = "Delivered-To: a@b\n" + message.replace("\r\n", "\n");
    String expectedWithout = expected.replace("X-Drop: 1\n continued\n", "");
    MaildirDestination maildir = new MaildirDestination(dir.resolve("Maildir"), "host");
    MaildirDestination filtered = new MaildirDestination(dir.resolve("Filtered"), "host");
    List<Destination.Staged> staged = new ArrayList<>();
    List<Destination.Staged> stagedFiltered = new ArrayList<>();
    List<Integer> splits = new ArrayList<>();
    for (int at = 1; at < 300; at++) {
      splits.add(at);
    }
    splits.addAll(List.of(8191, 8192, 8193, 16383, 16384, 65535, 65536, 65537, 100_100));
    byte[] shared = new byte[HeaderFields.FIRST_READ]; // as a batch reads every header into one
    for (int at : splits) {
      for (boolean remove : new boolean[] {false, true}) {
        WireInput in = new WireInput(socket(wire, at));
        DotTerminatedInputStream body = new DotTerminatedInputStream(in, Framing.CRLF);
        HeaderFields.Read read =
            HeaderFields.read(new WireBody(body), remove ? Set.of("x-drop") : Set.of(), shared);
        (remove ? stagedFiltered : staged)
            .add((remove ? filtered : maildir).stage(Incoming.of(trace), read.message()));
        assertThat(body.isComplete()).as("split at %d", at).isTrue();
        assertThat(body.count()).as("octets as sent").isEqualTo(message.length());
        assertThat(in.readLine(100)).isEqualTo("+OK next");
      }
    }
    // As staged (tmp/), not committed: the commit moves the files whole and is tested elsewhere.
    assertEveryFile(dir.resolve("Maildir/tmp"), expected, staged);
    assertEveryFile(dir.resolve("Filtered/tmp"), expectedWithout, stagedFiltered);
    maildir.discard(staged);
    filtered.discard(stagedFiltered);
  }

  private static void assertEveryFile(Path tmp, String expected, List<Destination.Staged> staged)
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(tmp)) {
      files = s.toList();
    }
    assertThat(files).hasSize(staged.size());
    for (Path f : files) {
      assertThat(Files.readString(f, ISO_8859_1)).as("%s", f).isEqualTo(expected);
    }
    assertThat(staged).allSatisfy(s -> assertThat(s.size()).isEqualTo(expected.length()));
  }
}
