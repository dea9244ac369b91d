package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;

class MboxDestinationTest {
  @TempDir Path dir;

  static final String TRICKY =
      "From: a@example.org\r\n"
          + "Subject: quoting\r\n\r\n"
          + "From the start of a line\r\n"
          + ">From already quoted\r\n"
          + ">>From twice\r\n"
          + " From not at the start\r\n"
          + "Fro\r\n"
          + ">\r\n"
          + "From\r\n"
          + "last line without end";

  private static Incoming from(String sender) {
    return new Incoming("acct", new Envelope(sender, "me@example.org"), TraceHeaders.NONE);
  }

  private static Destination.Staged stage(MboxDestination mbox, String sender, String wire)
      throws Exception {
    return mbox.stage(from(sender), new ByteArrayInputStream(wire.getBytes(ISO_8859_1)));
  }

  /** A reader's view: split at "From " lines, strip one '>' from ^>+From lines (mboxrd). */
  static List<String> read(Path mbox) throws Exception {
    List<String> messages = new ArrayList<>();
    StringBuilder current = null;
    for (String line : Files.readString(mbox, ISO_8859_1).split("\n", -1)) {
      if (line.startsWith("From ")) {
        if (current != null) {
          messages.add(current.toString());
        }
        current = new StringBuilder();
        continue;
      }
      if (current != null) {
        current.append(line.matches(">+From .*") ? line.substring(1) : line).append('\n');
      }
    }
    if (current != null) {
      messages.add(current.toString());
    }
    // Each message ends with the separating blank line (and the file with one more newline).
    return messages.stream().map(m -> m.replaceAll("\n\n+$", "\n")).toList();
  }

  @Test
  void aNewMboxInASharedMailSpoolIsGroupReadableAndWritableElsePrivate() throws Exception {
    Path spool = Files.createDirectory(dir.resolve("spool"));
    Files.setAttribute(spool, "unix:mode", 02775); // as /var/mail: rwxrwsr-x
    MboxDestination shared = new MboxDestination(spool.resolve("alice"), dir.resolve("s"));
    shared.commit(List.of(stage(shared, "a@example.org", "Subject: x\r\n\r\nx\r\n")));
    assertThat(Files.getPosixFilePermissions(spool.resolve("alice")))
        .isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
    Path home = Files.createDirectory(dir.resolve("home"));
    MboxDestination own = new MboxDestination(home.resolve("mbox"), dir.resolve("s"));
    own.commit(List.of(stage(own, "a@example.org", "Subject: x\r\n\r\nx\r\n")));
    assertThat(Files.getPosixFilePermissions(home.resolve("mbox")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // An existing mbox keeps the mode its owner gave it.
    Files.setPosixFilePermissions(
        spool.resolve("alice"), PosixFilePermissions.fromString("rw-------"));
    shared.commit(List.of(stage(shared, "a@example.org", "Subject: y\r\n\r\ny\r\n")));
    assertThat(Files.getPosixFilePermissions(spool.resolve("alice")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void writesMboxrdThatAReaderTurnsBackIntoTheMessage() throws Exception {
    Path file = dir.resolve("inbox");
    MboxDestination mbox = new MboxDestination(file, dir.resolve("spool"));
    mbox.commit(
        List.of(
            stage(mbox, "alice@example.org", TRICKY),
            stage(mbox, "", "Subject: bounce\r\n\r\nempty sender\r\n")));
    String raw = Files.readString(file, ISO_8859_1);
    assertThat(raw)
        .startsWith("From alice@example.org ")
        .contains(
            "\n"
                + ">From the start of a line\n"
                + ">>From already quoted\n"
                + ">>>From twice\n"
                + " From not at the start\n"
                + "Fro\n"
                + ">\n"
                + "From\n")
        .contains("\n\nFrom MAILER-DAEMON ")
        .endsWith("empty sender\n\n");
    assertThat(raw.lines().filter(l -> l.startsWith("From "))).hasSize(2); // the separators only
    List<String> messages = read(file);
    assertThat(messages.get(0)).isEqualTo(TRICKY.replace("\r\n", "\n") + "\n");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.exists(dir.resolve("inbox.lock"))).isFalse();
  }

  @Test
  void theFromLineCarriesTheSenderWithoutWhitespaceAndAnAsctimeDate() {
    assertThat(MboxDestination.fromLine("odd sender@x", Instant.parse("2026-11-03T04:05:06Z")))
        .matches("From odd-sender@x [A-Z][a-z]{2} Nov ( \\d|\\d\\d) \\d\\d:\\d\\d:\\d\\d 2026\\n");
  }

  @Test
  void aPreviousMessageWithoutItsBlankLineGetsOne() throws Exception {
    Path file = dir.resolve("inbox");
    Files.writeString(file, "From x@y Thu Nov 26 10:00:00 2026\nSubject: old\n\nno final newline");
    MboxDestination mbox = new MboxDestination(file, dir.resolve("spool"));
    mbox.commit(List.of(stage(mbox, "a@b", "Subject: new\r\n\r\nbody\r\n")));
    assertThat(Files.readString(file)).contains("no final newline\n\nFrom a@b ");
    assertThat(read(file)).hasSize(2);
  }

  @Test
  void aFailedAppendLeavesTheFileAsItWas() throws Exception {
    Path file = dir.resolve("inbox");
    Files.writeString(file, "From x@y Thu Nov 26 10:00:00 2026\nSubject: old\n\n");
    byte[] before = Files.readAllBytes(file);
    MboxDestination mbox = new MboxDestination(file, dir.resolve("spool"));
    Destination.Staged good = stage(mbox, "a@b", "Subject: 1\r\n\r\nx\r\n");
    Destination.Staged lost = stage(mbox, "a@b", "Subject: 2\r\n\r\ny\r\n");
    // The spool loses its second message: the append fails after the first one was copied.
    try (var files = Files.list(dir.resolve("spool"))) {
      Path batch = files.findFirst().orElseThrow();
      try (var ch = FileChannel.open(batch, StandardOpenOption.WRITE)) {
        ch.truncate(good.size() + 5);
      }
    }
    assertThatThrownBy(() -> mbox.commit(List.of(good, lost)))
        .isInstanceOf(DeliveryException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(Files.exists(dir.resolve("inbox.lock"))).isFalse();
  }

  @Test
  void aSymlinkAtTheMboxPathIsRefused() throws Exception {
    Path target = Files.writeString(dir.resolve("elsewhere"), "precious");
    Path link = Files.createSymbolicLink(dir.resolve("inbox"), target);
    assertThatThrownBy(() -> new MboxDestination(link, dir.resolve("spool")))
        .isInstanceOf(DeliveryException.class)
        .hasMessageContaining("symbolic link");
    assertThat(Files.readString(target)).isEqualTo("precious");
  }

  @Test
  void aStaleDotlockIsTakenOver() throws Exception {
    Path file = dir.resolve("inbox");
    Path lock = Files.writeString(dir.resolve("inbox.lock"), "12345\n");
    Files.setLastModifiedTime(
        lock, FileTime.from(Instant.now().minus(MboxDestination.STALE_LOCK).minusSeconds(60)));
    MboxDestination mbox = new MboxDestination(file, dir.resolve("spool"));
    mbox.commit(List.of(stage(mbox, "a@b", "Subject: 1\r\n\r\nx\r\n")));
    assertThat(read(file)).hasSize(1);
    assertThat(Files.exists(lock)).isFalse();
  }

  @Test
  void quotingHoldsAtEveryWriteBoundary() throws Exception {
    String lf = TRICKY.replace("\r\n", "\n");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (MboxrdQuotingOutputStream q = new MboxrdQuotingOutputStream(expected)) {
      q.write(lf.getBytes(ISO_8859_1));
      q.finish();
    }
    byte[] bytes = lf.getBytes(ISO_8859_1);
    for (int at = 0; at <= bytes.length; at++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      MboxrdQuotingOutputStream q = new MboxrdQuotingOutputStream(out);
      q.write(bytes, 0, at);
      q.write(bytes, at, bytes.length - at);
      q.finish();
      assertThat(out.toString(ISO_8859_1))
          .as("split at %d", at)
          .isEqualTo(expected.toString(ISO_8859_1));
    }
  }
}
