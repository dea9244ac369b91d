package org.popfetch.queue;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.testing.AiosmtpdServer;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/** popfetch poll forwarding over SMTP through the queue, from a real Dovecot to a real aiosmtpd. */
class ForwardIT {
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
            DovecotServer.users("fwd", "pw-fwd", "later", "pw-later", "multi", "pw-multi"),
            TestPki.create("fwd").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private Path config(String user, int smtpPort) throws Exception {
    Path file = dir.resolve(user + ".yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        queue: { postmaster: postmaster@example.org }
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

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  private static List<String> received(AiosmtpdServer smtp) throws Exception {
    try (var files = Files.list(smtp.maildir().resolve("new"))) {
      return files
          .map(
              f -> {
                try {
                  return Files.readString(f, ISO_8859_1);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  @Test
  void pollForwardsThroughTheQueueToARealSmtpServer() throws Exception {
    dovecot.deliver("fwd", Mail.message("fwd-1", 20).getBytes(ISO_8859_1));
    dovecot.deliver("fwd", Mail.message("fwd-2", 20).getBytes(ISO_8859_1));
    try (AiosmtpdServer smtp = AiosmtpdServer.start(dir)) {
      Run run = popfetch("poll", "--config", config("fwd", smtp.port()).toString());
      assertThat(run.status()).as(run.output()).isZero();
      assertThat(received(smtp))
          .hasSize(2)
          .allSatisfy(
              m ->
                  assertThat(m)
                      .contains("X-RcptTo: bob@example.org")
                      .contains("Received: from 127.0.0.1"));
    }
    assertThat(dovecot.messageCount("fwd")).isZero();
    assertThat(popfetch("queue", "list", "--config", dir.resolve("fwd.yaml").toString()).output())
        .contains("0 message(s) queued");
  }

  @Test
  void aServerThatIsDownGetsTheMailFromTheQueueWhenItIsBack() throws Exception {
    dovecot.deliver("later", Mail.message("later-1", 20).getBytes(ISO_8859_1));
    int port = nobodyListens.port(); // nothing listens there yet; aiosmtpd may share it later
    Path config = config("later", port);
    Run run = popfetch("poll", "--config", config.toString());
    assertThat(run.status()).as(run.output()).isZero();
    assertThat(dovecot.messageCount("later"))
        .as("queued durably, so deleted from the POP3 server")
        .isZero();
    Run list = popfetch("queue", "list", "--config", config.toString());
    assertThat(list.output())
        .contains("bob@example.org")
        .contains("1 message(s) queued")
        .contains("Connection refused");
    try (AiosmtpdServer smtp = AiosmtpdServer.start(dir, port)) {
      Run flush = popfetch("queue", "flush", "--config", config.toString());
      assertThat(flush.output()).contains("1 delivered, 0 deferred, 0 bounced");
      assertThat(received(smtp))
          .singleElement()
          .satisfies(m -> assertThat(m).contains("Message-ID: <later-1@popfetch.test>"));
    }
    assertThat(popfetch("queue", "list", "--config", config.toString()).output())
        .contains("0 message(s) queued");
  }

  @Test
  void aLineBreakHiddenInAnEncodedWordNeitherCorruptsTheQueueNorAddsARecipient() throws Exception {
    // The first smuggles the queue's old record layout into the sender, the second a second
    // recipient into the multidrop header; decoded, each has line breaks.
    dovecot.deliver(
        "multi",
        ("Return-Path:"
             + " <=?utf-8?q?a@x.example=0Aroute_relay=0Aarrival_2026-01-01T00:00:00Z=0Aattempts_0=0Aerror_=0Arcpt_PENDING_victim@evil.example?=>\r\n"
             + "X-Original-To: bob@example.org\r\n"
             + "Message-ID: <multi-1@popfetch.test>\r\n"
             + "\r\n"
             + "body\r\n")
            .getBytes(ISO_8859_1));
    dovecot.deliver(
        "multi",
        ("Return-Path: <alice@example.org>\r\n"
             + "X-Original-To: <=?utf-8?q?bob@example.org=0Arcpt_PENDING_victim@evil.example?=>\r\n"
             + "Message-ID: <multi-2@popfetch.test>\r\n"
             + "\r\n"
             + "body\r\n")
            .getBytes(ISO_8859_1));
    Path file = dir.resolve("multi.yaml");
    try (AiosmtpdServer smtp = AiosmtpdServer.start(dir)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file,
          """
          state: { url: "jdbc:sqlite:%s" }
          accounts:
            - name: multi
              server: 127.0.0.1
              port: %d
              tls: none
              user: multi
              password: pw-multi
              recipient-header: X-Original-To
              deliver: { smtp: { host: 127.0.0.1, port: %d } }
          """
              .formatted(dir.resolve("state.db"), dovecot.pop3Port(), smtp.port()));
      Run run = popfetch("poll", "--config", file.toString());
      assertThat(run.status()).as(run.output()).isZero();
      List<String> received = received(smtp);
      assertThat(received).hasSize(2);
      assertThat(received)
          .filteredOn(m -> m.contains("<multi-1@popfetch.test>"))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .contains("X-RcptTo: bob@example.org\n")
                      .contains("X-MailFrom: multi@127.0.0.1\n"));
      assertThat(received)
          .filteredOn(m -> m.contains("<multi-2@popfetch.test>"))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .contains("X-RcptTo: multi@127.0.0.1\n")
                      .contains("X-MailFrom: alice@example.org\n"));
    }
    assertThat(dovecot.messageCount("multi")).isZero();
    try (var corrupt = Files.list(dir.resolve("queue/corrupt"))) {
      assertThat(corrupt.toList()).isEmpty();
    }
  }
}
