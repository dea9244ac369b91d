package org.popfetch.queue;

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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.testing.AiosmtpdServer;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * kill -9 while the queue is written, and while it is sending: at worst a duplicate, never a loss.
 */
class QueueCrashIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  /** Where the relay is down, held for the test so that no other program answers there. */
  final RefusingPort nobodyListens = new RefusingPort();

  @AfterEach
  void releasePort() throws IOException {
    nobodyListens.close();
  }

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("big", "pw-big", "mid", "pw-mid"),
            TestPki.create("qcrash").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private Path config(String user, int smtpPort) throws Exception {
    Path file = dir.resolve(user + ".yaml");
    Files.deleteIfExists(file);
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
            deliver: { smtp: { host: 127.0.0.1, port: %d, to: [bob@example.org] } }
        """
            .formatted(dir.resolve("state.db"), user, dovecot.pop3Port(), user, user, smtpPort));
    return file;
  }

  private static Process child(Path log, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
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

  private static long incomingBytes(Path queueDir) throws Exception {
    Path incoming = queueDir.resolve("incoming");
    if (!Files.isDirectory(incoming)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(incoming)) {
      return s.filter(p -> p.toString().endsWith(".msg")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void killedWhileAMessageIsHalfWrittenIntoTheQueue() throws Exception {
    Path seeded = dovecot.maildir("big").resolve("tmp").resolve("seed");
    try (OutputStream out = Files.newOutputStream(seeded)) {
      out.write(
          "From: a@example.org\nSubject: big\nMessage-ID: <big@popfetch.test>\n\n"
              .getBytes(ISO_8859_1));
      byte[] line =
          "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n"
              .getBytes(ISO_8859_1);
      for (int i = 0; i < 1_500_000; i++) {
        out.write(line);
      }
    }
    dovecot.giveToMailUser(seeded);
    Files.move(seeded, dovecot.maildir("big").resolve("new").resolve("1.big"));
    int downPort = nobodyListens.port();
    Path config = config("big", downPort);
    Path queueDir = dir.resolve("queue");
    Process p = child(dir.resolve("child.log"), "poll", "--config", config.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> incomingBytes(queueDir) > 1_000_000 || !p.isAlive());
    assertThat(p.isAlive())
        .as("killed mid-write: %s", Files.readString(dir.resolve("child.log")))
        .isTrue();
    p.destroyForcibly();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    // Not accepted: nothing in the queue, and the message is still on the POP3 server.
    assertThat(new MailQueue(queueDir, Clock.systemUTC()).entries()).isEmpty();
    assertThat(dovecot.messageCount("big")).isEqualTo(1);

    assertThat(popfetch("poll", "--config", config.toString())).isZero();
    MailQueue queue = new MailQueue(queueDir, Clock.systemUTC());
    assertThat(queue.entries()).hasSize(1);
    assertThat(queue.size(queue.entries().get(0).entry().id())).isGreaterThan(108_000_000L);
    assertThat(incomingBytes(queueDir)).as("the half-written file is gone").isZero();
    assertThat(dovecot.messageCount("big")).isZero();
  }

  @Test
  void killedDuringTheSmtpTransactionTheMessageIsSentAgainLater() throws Exception {
    dovecot.deliver(
        "mid",
        "From: a@example.org\nSubject: mid\nMessage-ID: <mid@popfetch.test>\n\nbody\n"
            .getBytes(ISO_8859_1));
    int port = nobodyListens.port(); // the servers below share it while it is held
    Path config = config("mid", port);
    assertThat(popfetch("poll", "--config", config.toString()))
        .isZero(); // queued: the server is down
    assertThat(dovecot.messageCount("mid")).isZero();

    CountDownLatch inData = new CountDownLatch(1);
    Process p;
    try (ScriptedServer server =
        new ScriptedServer(
            port,
            null,
            c -> {
              c.send("220 slow.test ESMTP");
              c.expectPrefix("EHLO ");
              c.send("250-slow.test", "250 PIPELINING");
              c.expectPrefix("MAIL FROM:");
              c.expectPrefix("RCPT TO:");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "354 go");
              for (String line = c.readLine(); !".".equals(line); line = c.readLine()) {
                // the whole message arrives; the reply to "." never will
              }
              inData.countDown();
              c.readUntilClose();
            })) {
      p = child(dir.resolve("flush.log"), "queue", "flush", "--config", config.toString());
      assertThat(inData.await(60, TimeUnit.SECONDS)).isTrue();
      p.destroyForcibly(); // after the data, before the server's 250
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    // The next run recovers the interrupted attempt and sends it again: a duplicate at worst.
    try (AiosmtpdServer smtp = AiosmtpdServer.start(dir, port)) {
      assertThat(popfetch("queue", "flush", "--config", config.toString())).isZero();
      try (Stream<Path> files = Files.list(smtp.maildir().resolve("new"))) {
        assertThat(files.toList())
            .singleElement()
            .satisfies(
                f -> assertThat(Files.readString(f)).contains("Message-ID: <mid@popfetch.test>"));
      }
    }
    assertThat(new MailQueue(dir.resolve("queue"), Clock.systemUTC()).entries()).isEmpty();
  }
}
