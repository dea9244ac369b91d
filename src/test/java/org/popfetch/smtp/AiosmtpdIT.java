package org.popfetch.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.testing.AiosmtpdServer;
import org.popfetch.testing.StripStarttlsProxy;
import org.popfetch.testing.TestPki;

/**
 * The SMTP client against a real server: aiosmtpd (Debian's python3-aiosmtpd) storing into a
 * Maildir.
 */
class AiosmtpdIT {
  @TempDir Path dir;
  AiosmtpdServer server;
  int port;

  @BeforeEach
  void start() throws Exception {
    server = AiosmtpdServer.start(dir);
    port = server.port();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void messagesArriveWholeWithDotsAndLineEndsRestored() throws Exception {
    SmtpSettings settings =
        new SmtpSettings(
            "127.0.0.1",
            port,
            SmtpSettings.Tls.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)),
            Duration.ofSeconds(60),
            "popfetch.test",
            false,
            true);
    SmtpClient client = SmtpClient.connect(settings, ProtocolTrace.NONE);
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String body =
          "Message-ID: <smtp-"
              + i
              + "@popfetch.test>\nSubject: "
              + i
              + "\n\n.\n..two dots\nbare LF only\nlast\n";
      bodies.add(body);
      SmtpTransaction t =
          client.send(
              "alice@example.org",
              List.of("bob@example.org"),
              body.length(),
              new ByteArrayInputStream(body.getBytes(ISO_8859_1)));
      assertThat(t.delivered()).containsExactly("bob@example.org");
    }
    client.quit();
    List<String> stored = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("received/new"))) {
      for (Path f : files.toList()) {
        stored.add(Files.readString(f, ISO_8859_1).replace("\r\n", "\n"));
      }
    }
    assertThat(stored).hasSize(3);
    for (String body : bodies) {
      String tail = body.substring(body.indexOf("\n\n"));
      assertThat(stored)
          .anySatisfy(
              s -> assertThat(s).contains(body.substring(0, body.indexOf('\n'))).endsWith(tail));
    }
  }

  @Test
  void starttlsIsVerifiedAndAStrippedStarttlsStopsBeforeAnythingIsSent(@TempDir Path tlsDir)
      throws Exception {
    TestPki pki = TestPki.create("smtp test CA");
    Path cert = tlsDir.resolve("cert.pem");
    Path key = tlsDir.resolve("key.pem");
    pki.issue("127.0.0.1").writePem(cert, key);
    TlsTrust trust = TlsTrust.withCaFile(pki.writeCaPem(tlsDir.resolve("ca.pem")));
    try (AiosmtpdServer tls = AiosmtpdServer.startWithStarttls(tlsDir, cert, key)) {
      SmtpSettings starttls =
          new SmtpSettings(
              "127.0.0.1",
              tls.port(),
              SmtpSettings.Tls.STARTTLS,
              trust,
              new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)),
              Duration.ofSeconds(60),
              "popfetch.test",
              false,
              false);
      SmtpClient client = SmtpClient.connect(starttls, ProtocolTrace.NONE);
      assertThat(client.isSecure()).isTrue();
      String body = "Subject: over TLS\n\nsecret stuff\n";
      assertThat(
              client
                  .send(
                      "a@example.org",
                      List.of("b@example.org"),
                      -1,
                      new ByteArrayInputStream(body.getBytes(ISO_8859_1)))
                  .delivered())
          .hasSize(1);
      client.quit();

      try (StripStarttlsProxy proxy = new StripStarttlsProxy(tls.port())) {
        SmtpSettings viaProxy =
            new SmtpSettings(
                "127.0.0.1",
                proxy.port(),
                SmtpSettings.Tls.STARTTLS,
                trust,
                new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)),
                Duration.ofSeconds(60),
                "popfetch.test",
                false,
                false);
        Assertions.assertThatThrownBy(() -> SmtpClient.connect(viaProxy, ProtocolTrace.NONE))
            .isInstanceOf(SmtpException.class)
            .hasMessageContaining("does not offer STARTTLS");
        assertThat(proxy.mailSeen()).isFalse();
      }
    }
  }
}
