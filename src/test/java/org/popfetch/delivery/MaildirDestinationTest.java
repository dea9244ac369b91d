package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.TraceHeaders;

class MaildirDestinationTest {
  @TempDir Path dir;

  private static InputStream wire(String s) {
    return new ByteArrayInputStream(s.getBytes(ISO_8859_1));
  }

  private static List<Path> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.toList();
    }
  }

  @Test
  void createsTheMaildirPrivatelyAndDeliversOnlyAtCommit() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "host/with:odd");
    assertThat(Files.getPosixFilePermissions(root))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    TraceHeaders trace = new TraceHeaders(List.of("Delivered-To: a@b"));
    Destination.Staged one = maildir.stage(Incoming.of(trace), wire("Subject: 1\r\n\r\nbody\r\n"));
    Destination.Staged two =
        maildir.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: 2\r\n\r\nbare\rcr\r\n"));
    assertThat(list(root.resolve("new"))).isEmpty();
    assertThat(list(root.resolve("tmp"))).hasSize(2);

    maildir.commit(List.of(one, two));

    assertThat(list(root.resolve("tmp"))).isEmpty();
    // In delivery order: the Q (sequence) part of the unique name grows with each message.
    List<Path> delivered =
        list(root.resolve("new")).stream()
            .sorted(
                Comparator.comparingLong(
                    p ->
                        Long.parseLong(
                            p.getFileName().toString().replaceAll(".*Q(\\d+)\\..*", "$1"))))
            .toList();
    assertThat(delivered).hasSize(2);
    String first = Files.readString(delivered.get(0), ISO_8859_1);
    assertThat(first).isEqualTo("Delivered-To: a@b\nSubject: 1\n\nbody\n");
    assertThat(delivered.get(0).getFileName().toString())
        .endsWith(".host\\057with\\072odd,S=" + first.length())
        .doesNotContain(":");
    assertThat(one.size()).isEqualTo(first.length());
    assertThat(Files.readString(delivered.get(1), ISO_8859_1))
        .isEqualTo("Subject: 2\n\nbare\rcr\n");
    assertThat(Files.getPosixFilePermissions(delivered.get(0)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  /**
   * A message of {@code size} octets made up as it is read, in reads of random length: lines of
   * random length (one in 500 longer than any buffer), CRLF line ends, bare CRs and bare LFs. The
   * same seed gives the same octets; {@link #stored} is what a Maildir must hold of it.
   */
  private static final class MadeUpMessage extends InputStream {
    private final java.util.Random random;
    private final java.util.Random chunks;
    private long left;
    private int lineLeft;

    MadeUpMessage(long seed, long size) {
      random = new java.util.Random(seed);
      chunks = new java.util.Random(seed + 1);
      left = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(left, Math.min(len, 1 + chunks.nextInt(100_000)));
      for (int i = off; i < off + n; i++) {
        b[i] = next();
      }
      left -= n;
      return n;
    }

    private byte next() {
      if (lineLeft == 0) {
        lineLeft = random.nextInt(500) == 0 ? 100_000 + random.nextInt(100_000) : 76;
      }
      lineLeft--;
      int r = random.nextInt(200);
      if (lineLeft <= 1) {
        return (byte) (lineLeft == 1 ? '\r' : '\n');
      }
      return (byte) (r == 0 ? '\r' : r == 1 ? '\n' : 'A' + r % 26);
    }

    /** The SHA-256 of the message with each CRLF made LF, and that message's length. */
    static Object[] stored(long seed, long size) throws IOException {
      java.security.MessageDigest sha;
      try {
        sha = java.security.MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
      long length = 0;
      boolean cr = false;
      byte[] buf = new byte[8192];
      InputStream in = new MadeUpMessage(seed, size);
      int n;
      while ((n = in.read(buf, 0, buf.length)) > 0) {
        for (int i = 0; i < n; i++) {
          byte c = buf[i];
          if (cr && c != '\n') {
            sha.update((byte) '\r');
            length++;
          }
          cr = c == '\r';
          if (!cr) {
            sha.update(c);
            length++;
          }
        }
      }
      if (cr) {
        sha.update((byte) '\r');
        length++;
      }
      return new Object[] {java.util.HexFormat.of().formatHex(sha.digest()), length};
    }
  }

  private static String sha256(Path file) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(sha.digest());
  }

  @Test
  void aLargeMessageIsStoredOctetForOctetAndTheNextOneAfterItToo() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    long size = 24L * 1024 * 1024;
    Destination.Staged big =
        maildir.stage(Incoming.of(TraceHeaders.NONE), new MadeUpMessage(1, size));
    Destination.Staged small =
        maildir.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: 2\r\n\r\nend\r"));
    maildir.commit(List.of(big, small));

    Object[] expected = MadeUpMessage.stored(1, size);
    Path bigFile = only(root.resolve("new"), ",S=" + expected[1]);
    assertThat(sha256(bigFile)).isEqualTo(expected[0]);
    assertThat(big.size()).isEqualTo((long) expected[1]);
    Path smallFile = only(root.resolve("new"), ",S=" + "Subject: 2\n\nend\r".length());
    assertThat(Files.readString(smallFile, ISO_8859_1)).isEqualTo("Subject: 2\n\nend\r");
  }

  private static Path only(Path d, String suffix) throws IOException {
    List<Path> found =
        list(d).stream().filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void filesMadeAheadHoldEachMessageWholeAndThoseLeftOverAreDeletedAtCommit() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    maildir.expect(20); // three come: a rule left the rest on the server, say
    List<Destination.Staged> staged = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      staged.add(
          maildir.stage(
              Incoming.of(TraceHeaders.NONE),
              wire("Subject: " + i + "\r\n\r\nbody " + i + "\r\n")));
    }
    // Made ahead indeed: more files in tmp/ than messages staged, before the commit.
    await().atMost(Duration.ofSeconds(30)).until(() -> list(root.resolve("tmp")).size() > 3);
    maildir.commit(staged);
    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(list(root.resolve("new")).stream().map(p -> read(p)).sorted())
        .containsExactly(
            "Subject: 1\n\nbody 1\n", "Subject: 2\n\nbody 2\n", "Subject: 3\n\nbody 3\n");

    // The next batch makes its own, in the same tmp/.
    maildir.expect(2);
    Destination.Staged fourth =
        maildir.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: 4\r\n\r\nx\r\n"));
    maildir.commit(List.of(fourth));
    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(list(root.resolve("new"))).hasSize(4);
  }

  @Test
  void aCountWithdrawnBeforeAnyStagingMakesNothingAhead() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    maildir.expect(50); // a batch whose messages were all left on the server
    maildir.expect(0); // withdrawn when its retrieval ended
    Destination.Staged notice =
        maildir.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: notice\r\n\r\nx\r\n"));
    // No creator was started, so tmp/ holds the one file staged and nothing more.
    assertThat(list(root.resolve("tmp"))).hasSize(1);
    maildir.commit(List.of(notice));
    assertThat(list(root.resolve("new"))).hasSize(1);
  }

  @Test
  void filesMadeAheadAreDeletedWithADiscardedBatch() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    maildir.expect(10);
    Destination.Staged one = maildir.stage(Incoming.of(TraceHeaders.NONE), wire("a\r\n"));
    Destination.Staged two = maildir.stage(Incoming.of(TraceHeaders.NONE), wire("b\r\n"));
    maildir.discard(List.of(one, two));
    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(list(root.resolve("new"))).isEmpty();
  }

  @Test
  void aFailedFirstWriteWithFilesMadeAheadLeavesNothing() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    maildir.expect(10);
    InputStream cut =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 100) {
              throw new IOException("connection reset");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> maildir.stage(Incoming.of(TraceHeaders.NONE), cut))
        .isInstanceOf(DeliveryException.class);
    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(list(root.resolve("new"))).isEmpty();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void discardLeavesNothingBehind() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    Destination.Staged s = maildir.stage(Incoming.of(TraceHeaders.NONE), wire("x\r\n"));
    maildir.discard(List.of(s));
    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(list(root.resolve("new"))).isEmpty();
  }

  @Test
  void aFailedWriteLeavesNoPartialFile() throws Exception {
    Path root = dir.resolve("Maildir");
    MaildirDestination maildir = new MaildirDestination(root, "h");
    InputStream failing =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 1000) {
              throw new IOException("connection reset");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> maildir.stage(Incoming.of(TraceHeaders.NONE), failing))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class));
    assertThat(list(root.resolve("tmp"))).isEmpty();
  }

  @Test
  void anUnwritableMaildirIsATemporaryDeliveryError() throws Exception {
    Path root = Files.createDirectories(dir.resolve("Maildir"));
    Files.createDirectories(root.resolve("new"));
    Files.createDirectories(root.resolve("cur"));
    Files.writeString(root.resolve("tmp"), "not a directory");
    assertThatThrownBy(
            () ->
                new MaildirDestination(root, "h")
                    .stage(Incoming.of(TraceHeaders.NONE), wire("x\r\n")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class));
  }

  @Test
  void asRootIntoAUsersMaildirTheFilesBelongToTheUser() throws Exception {
    Assumptions.assumeTrue(Identity.isRoot(), "needs root, as CI has");
    Path home = Files.createDirectories(dir.resolve("home-nobody"));
    var lookup = home.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(home, lookup.lookupPrincipalByName("nobody"));
    MaildirDestination maildir = new MaildirDestination(home.resolve("Maildir"), "h");
    maildir.commit(
        List.of(
            maildir.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: yours\r\n\r\nx\r\n"))));
    try (Stream<Path> all = Files.walk(home.resolve("Maildir"))) {
      assertThat(all.toList())
          .allSatisfy(
              p -> assertThat(Files.getOwner(p).getName()).as(p.toString()).isEqualTo("nobody"));
    }
  }
}
