package org.popfetch.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;

/** LMTP into Dovecot's LMTP service, which delivers into the users' Maildirs. */
class DovecotLmtpIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("anna", "pw-anna", "ben", "pw-ben"),
            TestPki.create("lmtp").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void eachRecipientGetsItsOwnReplyAndItsOwnCopy() throws Exception {
    SmtpSettings settings =
        new SmtpSettings(
            "127.0.0.1",
            dovecot.lmtpPort(),
            SmtpSettings.Tls.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)),
            Duration.ofSeconds(60),
            "popfetch.test",
            true,
            true);
    long anna = dovecot.messageCount("anna");
    long ben = dovecot.messageCount("ben");
    SmtpClient client = SmtpClient.connect(settings, ProtocolTrace.NONE);
    String message = Mail.message("lmtp-1", 30);
    SmtpTransaction t =
        client.send(
            "sender@example.org",
            List.of("anna@example.org", "nobody@example.org", "ben@example.org"),
            message.length(),
            new ByteArrayInputStream(message.getBytes(ISO_8859_1)));
    client.quit();
    assertThat(t.delivered()).containsExactly("anna@example.org", "ben@example.org");
    assertThat(t.refused()).containsExactly("nobody@example.org");
    assertThat(dovecot.messageCount("anna")).isEqualTo(anna + 1);
    assertThat(dovecot.messageCount("ben")).isEqualTo(ben + 1);
  }

  @Test
  void overDovecotsUnixSocket() throws Exception {
    SmtpSettings settings =
        new SmtpSettings(
            dovecot.lmtpSocket().toString(),
            0,
            SmtpSettings.Tls.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)),
            Duration.ofSeconds(60),
            "popfetch.test",
            true,
            true);
    long before = dovecot.messageCount("anna");
    SmtpClient client = SmtpClient.connect(settings, ProtocolTrace.NONE);
    String message = Mail.message("lmtp-unix", 10);
    assertThat(
            client
                .send(
                    "s@example.org",
                    List.of("anna@example.org"),
                    -1,
                    new ByteArrayInputStream(message.getBytes(ISO_8859_1)))
                .delivered())
        .containsExactly("anna@example.org");
    client.quit();
    assertThat(dovecot.messageCount("anna")).isEqualTo(before + 1);
  }
}
