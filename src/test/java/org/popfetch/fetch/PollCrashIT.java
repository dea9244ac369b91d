package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * The promise when the process dies or the machine runs short: popfetch runs in a child JVM that is
 * killed, starved of heap, or given a full disk, against a real Dovecot.
 */
class PollCrashIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users(
                "crash",
                "pw-crash",
                "huge",
                "pw-huge",
                "full",
                "pw-full",
                "fullmbox",
                "pw-fullmbox"),
            TestPki.create("popfetch crash test CA").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private Path config(String user, Path maildir) throws IOException {
    Path file = dir.resolve(user + ".yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        accounts:
          - name: %s
            server: 127.0.0.1
            port: %d
            tls: none
            user: %s
            password: pw-%s
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state.db"), user, dovecot.pop3Port(), user, user, maildir));
    return file;
  }

  /** popfetch in a JVM of its own, with the test's class path. */
  private static Process child(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : args) {
      if (a.startsWith("-X")) {
        command.add(a);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    for (String a : args) {
      if (!a.startsWith("-X")) {
        command.add(a);
      }
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static int popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute(args);
  }

  private static long count(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void killedMidPollThenPolledAgainEveryMessageIsSomewhere() throws Exception {
    int total = 500;
    Set<String> all = new HashSet<>();
    for (int i = 1; i <= total; i++) {
      String id = "kill-" + i;
      all.add(id);
      dovecot.deliver("crash", Mail.message(id, 60).getBytes(ISO_8859_1));
    }
    Path maildir = dir.resolve("Maildir");
    Path config = config("crash", maildir);
    // Small batches, so that the kill lands between group commits as well as inside them.
    Process p = child(dir.resolve("child.log"), "poll", "--config", config.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> count(maildir.resolve("new")) >= 150 || !p.isAlive());
    assertThat(p.isAlive())
        .as(
            "the poll ended before it could be killed: %s",
            Files.readString(dir.resolve("child.log")))
        .isTrue();
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no QUIT
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    long onServerAfterKill = dovecot.messageCount("crash");
    assertThat(onServerAfterKill).as("nothing is deleted without QUIT").isEqualTo(total);

    assertThat(popfetch("poll", "--config", config.toString())).isZero();
    List<String> delivered = Mail.idsIn(maildir);
    assertThat(new HashSet<>(delivered)).as("every message delivered at least once").isEqualTo(all);
    assertThat(dovecot.messageCount("crash")).isZero();
    // Leftovers of the kill may sit in tmp/ (invisible to readers, cleaned after 36 hours), but
    // every file in new/ is a whole message.
    try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
      for (Path f : files.toList()) {
        String content = Files.readString(f, ISO_8859_1);
        String id = content.replaceAll("(?s).*Message-ID: <([^@]+)@.*", "$1");
        assertThat(content).as(f.toString()).endsWith("line 59 of " + id + "\n");
      }
    }
  }

  @Test
  void aTwoHundredMegabyteMessageWithSixtyFourMegabytesOfHeap() throws Exception {
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    Path seeded = dovecot.maildir("huge").resolve("tmp").resolve("seed");
    try (OutputStream out = Files.newOutputStream(seeded)) {
      byte[] header =
          "From: big@example.org\nSubject: 200 MB\nMessage-ID: <huge@popfetch.test>\n\n"
              .getBytes(ISO_8859_1);
      out.write(header);
      expected.update(header);
      byte[] line =
          ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\n")
              .getBytes(ISO_8859_1);
      for (long written = 0; written < 200_000_000L; written += line.length) {
        out.write(line);
        expected.update(line);
      }
    }
    dovecot.giveToMailUser(seeded);
    Files.move(seeded, dovecot.maildir("huge").resolve("new").resolve("1.huge.test"));

    Path maildir = dir.resolve("Maildir-huge");
    Path log = dir.resolve("huge.log");
    Process p = child(log, "-Xmx64m", "poll", "--config", config("huge", maildir).toString());
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();

    Path file;
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      file = s.findFirst().orElseThrow();
    }
    MessageDigest actual = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      // Skip popfetch's two trace fields (the Received field is folded over lines).
      String head = new String(in.readNBytes(4096), ISO_8859_1);
      int bodyStart = head.indexOf('\n', head.indexOf("\nDelivered-To: ") + 1) + 1;
      actual.update(head.substring(bodyStart).getBytes(ISO_8859_1));
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        actual.update(buf, 0, n);
      }
    }
    assertThat(actual.digest()).isEqualTo(expected.digest());
    assertThat(dovecot.messageCount("huge")).isZero();
  }

  @Test
  void aFullDiskLeavesTheMailOnTheServerAndDeliversItOnceThereIsRoom() throws Exception {
    Path mount = Files.createDirectories(dir.resolve("small"));
    Process m =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mount.toString())
            .inheritIO()
            .start();
    assertThat(m.waitFor()).as("mounting a 512 KiB tmpfs (the tests run as root)").isZero();
    try {
      dovecot.deliver("full", Mail.message("fits-1", 20).getBytes(ISO_8859_1));
      dovecot.deliver("full", Mail.message("too-big", 60_000).getBytes(ISO_8859_1)); // about 2 MB
      dovecot.deliver("full", Mail.message("fits-2", 20).getBytes(ISO_8859_1));
      Path maildir = mount.resolve("Maildir");
      Path config = config("full", maildir);
      int status = popfetch("poll", "--config", config.toString());
      assertThat(status).isEqualTo(10);
      assertThat(Mail.idsIn(maildir)).containsExactly("fits-1");
      assertThat(count(maildir.resolve("tmp"))).isZero();
      assertThat(dovecot.messageCount("full"))
          .as("only the delivered message was deleted")
          .isEqualTo(2);

      // Room again: the rest arrives, each message exactly once.
      Path roomy = dir.resolve("Maildir-roomy");
      Files.writeString(
          config, Files.readString(config).replace(maildir.toString(), roomy.toString()));
      assertThat(popfetch("poll", "--config", config.toString())).isZero();
      assertThat(Mail.idsIn(roomy)).containsExactlyInAnyOrder("too-big", "fits-2");
      assertThat(dovecot.messageCount("full")).isZero();
    } finally {
      new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void anMboxOnAFullDiskIsTruncatedBackAndTheMailStaysOnTheServer() throws Exception {
    Path mount = Files.createDirectories(dir.resolve("small-mbox"));
    Process m =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mount.toString())
            .inheritIO()
            .start();
    assertThat(m.waitFor()).as("mounting a 512 KiB tmpfs (the tests run as root)").isZero();
    try {
      Path mbox = mount.resolve("inbox");
      Files.writeString(
          mbox, "From old@example.org Thu Nov 26 10:00:00 2026\nSubject: old\n\nkept\n\n");
      byte[] before = Files.readAllBytes(mbox);
      dovecot.deliver("fullmbox", Mail.message("small", 20).getBytes(ISO_8859_1));
      dovecot.deliver("fullmbox", Mail.message("two-megabytes", 60_000).getBytes(ISO_8859_1));
      Path config = config("fullmbox", dir.resolve("unused-Maildir"));
      // The spool sits next to the state (a roomy disk); the mailbox is on the small one.
      Files.writeString(
          config,
          Files.readString(config)
              .replace(
                  "deliver: { maildir: " + dir.resolve("unused-Maildir") + " }",
                  "deliver: { mbox: " + mbox + " }"));
      int status = popfetch("poll", "--config", config.toString());
      assertThat(status).isEqualTo(10);
      assertThat(Files.readAllBytes(mbox))
          .as("truncated back: no partial message")
          .isEqualTo(before);
      assertThat(dovecot.messageCount("fullmbox")).as("nothing deleted").isEqualTo(2);
      assertThat(Files.exists(mount.resolve("inbox.lock"))).isFalse();
    } finally {
      new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
    }
  }
}
