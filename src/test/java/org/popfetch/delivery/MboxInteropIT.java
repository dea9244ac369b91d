package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;
import org.popfetch.testing.Mail;

/** popfetch and procmail appending to one mbox at the same time: whole messages only. */
class MboxInteropIT {
  @TempDir Path dir;

  @Test
  void concurrentAppendsFromPopfetchAndProcmailInterleaveWholeMessages() throws Exception {
    int each = 40;
    Path mbox = dir.resolve("inbox");
    Path rc = dir.resolve("procmailrc");
    // ":0:" makes procmail take the mailbox's dotlock (inbox.lock) and its kernel lock.
    Files.writeString(rc, "LOGFILE=" + dir.resolve("procmail.log") + "\n:0:\n" + mbox + "\n");
    Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
    Path messages = Files.createDirectories(dir.resolve("msgs"));
    for (int i = 0; i < each; i++) {
      // As an MTA hands mail to an MDA: with its From_ line, which procmail -m keeps.
      Files.writeString(
          messages.resolve("m" + i),
          "From procmail@example.org Thu Nov 26 10:00:00 2026\n"
              + Mail.message("procmail-" + i, 200));
    }
    Path loop = dir.resolve("loop.sh");
    Files.writeString(
        loop,
        "#!/bin/sh\nfor f in "
            + messages
            + "/*; do /usr/bin/procmail -m "
            + rc
            + " < \"$f\" || exit 1; done\n");
    Files.setPosixFilePermissions(loop, PosixFilePermissions.fromString("rwx------"));

    MboxDestination popfetch = new MboxDestination(mbox, dir.resolve("spool"));
    Process procmail =
        new ProcessBuilder(loop.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("loop.log").toFile())
            .start();
    CompletableFuture<Void> ours =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < each; i++) {
                  Incoming in =
                      new Incoming(
                          "a", new Envelope("s@example.org", "r@example.org"), TraceHeaders.NONE);
                  popfetch.commit(
                      List.of(
                          popfetch.stage(
                              in,
                              new ByteArrayInputStream(
                                  Mail.message("popfetch-" + i, 200)
                                      .replace("\n", "\r\n")
                                      .getBytes(ISO_8859_1)))));
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    ours.get(120, TimeUnit.SECONDS);
    assertThat(procmail.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(procmail.exitValue()).as(Files.readString(dir.resolve("loop.log"))).isZero();

    List<String> parsed = MboxDestinationTest.read(mbox);
    assertThat(parsed).hasSize(2 * each);
    List<String> ids = new ArrayList<>();
    for (String m : parsed) {
      String id = m.replaceAll("(?s).*Message-ID: <([^@]+)@.*", "$1");
      ids.add(id);
      assertThat(m).as("message %s is whole", id).endsWith("line 199 of " + id + "\n");
      assertThat(m.split("\n", -1).length)
          .as("message %s has all its lines", id)
          .isGreaterThanOrEqualTo(205);
    }
    assertThat(ids).doesNotHaveDuplicates().hasSize(2 * each);
  }
}
