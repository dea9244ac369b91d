package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
