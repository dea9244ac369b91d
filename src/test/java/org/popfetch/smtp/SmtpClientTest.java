package org.popfetch.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;
import org.popfetch.testing.TestPki;

class SmtpClientTest {
  private static SmtpSettings plain(int port, boolean lmtp) {
    return new SmtpSettings(
        "127.0.0.1",
        port,
        SmtpSettings.Tls.NONE,
        TlsTrust.SYSTEM,
        new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)),
        Duration.ofSeconds(10),
        "popfetch.test",
        lmtp,
        true);
  }

  private static ByteArrayInputStream message(String s) {
    return new ByteArrayInputStream(s.getBytes(ISO_8859_1));
  }

  /** Reads DATA lines up to the terminating ".", as a server sees them (CRLF restored). */
  private static String data(Conversation c) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String line = c.readLine(); !".".equals(line); line = c.readLine()) {
      sb.append(line).append("\r\n");
    }
    return sb.toString();
  }

  @Test
  void pipelinedTransactionWithOneRecipientDeferredAndTheBodyStuffed() throws Exception {
    List<String> received = new ArrayList<>();
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-mx.test", "250-PIPELINING", "250-SIZE 10000000", "250 8BITMIME");
              c.expect("MAIL FROM:<alice@example.org> SIZE=42 BODY=8BITMIME");
              c.expect("RCPT TO:<bob@example.org>");
              c.expect("RCPT TO:<carol@example.org>");
              c.expect("DATA");
              c.send("250 2.1.0 ok", "250 2.1.5 ok", "452 4.2.2 mailbox full", "354 go ahead");
              received.add(data(c));
              c.send("250 2.0.0 queued as 123");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      SmtpTransaction t =
          client.send(
              "alice@example.org",
              List.of("bob@example.org", "carol@example.org"),
              42,
              message("Subject: x\n\n.dot line\nbare\rCR\n..two\nno final newline"));
      client.quit();
      assertThat(t.delivered()).containsExactly("bob@example.org");
      assertThat(t.deferred()).containsExactly("carol@example.org");
      assertThat(t.replies().get("carol@example.org").enhancedCode()).contains("4.2.2");
    }
    assertThat(received.get(0))
        .isEqualTo("Subject: x\r\n\r\n..dot line\r\nbare\r\nCR\r\n...two\r\nno final newline\r\n");
  }

  @Test
  void anOldServerGetsHeloAndOneCommandAtATime() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 old.test SMTP");
              c.expect("EHLO popfetch.test");
              c.send("502 command not implemented");
              c.expect("HELO popfetch.test");
              c.send("250 old.test");
              c.expect("MAIL FROM:<>");
              c.send("250 ok");
              c.expect("RCPT TO:<bob@example.org>");
              c.send("550 5.1.1 no such user");
              c.expect("RSET");
              c.send("250 ok");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      SmtpTransaction t = client.send("", List.of("bob@example.org"), 10, message("x\n"));
      client.quit();
      assertThat(t.refused()).containsExactly("bob@example.org");
      assertThat(t.replies().get("bob@example.org").toString()).isEqualTo("550 5.1.1 no such user");
    }
  }

  @Test
  void a421IsTransientAndCarriesTheServersWords() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250 mx.test");
              c.expect("MAIL FROM:<a@b>");
              c.send("421 4.3.2 shutting down");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.send("a@b", List.of("c@d"), 1, message("x")))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.isTransient()).isTrue();
                assertThat(e.getMessage()).contains("421 4.3.2 shutting down");
              });
      client.close();
    }
  }

  @Test
  void starttlsStrippedByAProxyIsRefusedBeforeAnythingIsSent() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-mx.test", "250 PIPELINING"); // STARTTLS removed on the way
              c.expectClose();
            })) {
      SmtpSettings s = plain(server.port(), false);
      SmtpSettings starttls =
          new SmtpSettings(
              s.host(),
              s.port(),
              SmtpSettings.Tls.STARTTLS,
              s.trust(),
              s.timeouts(),
              s.dataDoneTimeout(),
              s.helo(),
              false,
              false);
      assertThatThrownBy(() -> SmtpClient.connect(starttls, ProtocolTrace.NONE))
          .isInstanceOf(SmtpException.class)
          .hasMessageContaining("does not offer STARTTLS");
    }
  }

  @Test
  void authPlainIsMaskedInTheTrace() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-mx.test", "250 AUTH LOGIN PLAIN");
              c.expectPrefix("AUTH PLAIN ");
              c.send("235 2.7.0 ok");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      RecordingTrace trace = new RecordingTrace();
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), trace);
      client.login(new Credentials.Password("relay", "relay-secret"));
      client.quit();
      assertThat(trace.sent()).contains("AUTH PLAIN ****");
      assertThat(trace.all()).doesNotContain("relay-secret").doesNotContain("cmVsYXk");
    }
  }

  @Test
  void lmtpGivesEachAcceptedRecipientItsOwnFinalReply() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 lmtp.test LMTP");
              c.expect("LHLO popfetch.test");
              c.send("250-lmtp.test", "250 PIPELINING");
              c.expect("MAIL FROM:<a@b>");
              c.expect("RCPT TO:<one@x>");
              c.expect("RCPT TO:<two@x>");
              c.expect("RCPT TO:<three@x>");
              c.expect("DATA");
              c.send("250 ok", "250 ok", "550 5.1.1 unknown", "250 ok", "354 go");
              data(c);
              c.send("250 2.0.0 one delivered", "452 4.2.2 three over quota");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), true), ProtocolTrace.NONE);
      SmtpTransaction t =
          client.send("a@b", List.of("one@x", "two@x", "three@x"), -1, message("x\n"));
      client.quit();
      assertThat(t.delivered()).containsExactly("one@x");
      assertThat(t.refused()).containsExactly("two@x");
      assertThat(t.deferred()).containsExactly("three@x");
    }
  }

  @Test
  void aGarbageReplyIsAnError() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK this is POP3, not SMTP");
              c.expectClose();
            })) {
      assertThatThrownBy(() -> SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE))
          .isInstanceOf(SmtpException.class)
          .hasMessageContaining("not an SMTP reply");
    }
  }

  @Test
  void utf8AddressesUseSmtputf8OrAreRefusedWhenItIsMissing() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-mx.test", "250 SMTPUTF8");
              // On the wire the address is UTF-8; the scripted server reads octets.
              c.expect(
                  "MAIL FROM:<"
                      + new String(
                          "jos\u00e9@example.org".getBytes(StandardCharsets.UTF_8), ISO_8859_1)
                      + "> SMTPUTF8");
              c.send("250 ok");
              c.expect("RCPT TO:<b@example.org>");
              c.send("250 ok");
              c.expect("DATA");
              c.send("354 go");
              data(c);
              c.send("250 ok");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThat(
              client
                  .send("jos\u00e9@example.org", List.of("b@example.org"), -1, message("x\n"))
                  .delivered())
          .hasSize(1);
      client.quit();
    }
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250 mx.test");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThatThrownBy(
              () ->
                  client.send(
                      "a@example.org", List.of("m\u00fcller@example.org"), -1, message("x")))
          .isInstanceOfSatisfying(
              SmtpReplyException.class, e -> assertThat(e.isTransient()).isFalse())
          .hasMessageContaining("SMTPUTF8");
      client.quit();
    }
  }

  @Test
  void aMessageOverTheServersSizeLimitIsRefusedWithoutSendingIt() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-mx.test", "250 SIZE 1000");
              c.expect("QUIT"); // no MAIL, no DATA
              c.send("221 bye");
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.send("a@b", List.of("c@d"), 5000, message("x")))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.isTransient()).isFalse();
                assertThat(e.reply().enhancedCode()).contains("5.3.4");
              });
      client.quit();
    }
  }

  @Test
  void implicitTlsOnConnectWithTheCertificateChecked(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    TestPki pki = TestPki.create("smtps CA");
    TlsTrust trust = TlsTrust.withCaFile(pki.writeCaPem(dir.resolve("ca.pem")));
    try (ScriptedServer server =
        new ScriptedServer(
            pki.issue("127.0.0.1").serverContext(),
            c -> {
              c.send("220 smtps.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-smtps.test", "250 AUTH PLAIN");
              c.expectPrefix("AUTH PLAIN ");
              c.send("235 ok");
              c.expect("QUIT");
              c.send("221 bye");
            })) {
      SmtpSettings implicit =
          new SmtpSettings(
              "127.0.0.1",
              server.port(),
              SmtpSettings.Tls.IMPLICIT,
              trust,
              new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)),
              Duration.ofSeconds(10),
              "popfetch.test",
              false,
              false);
      SmtpClient client = SmtpClient.connect(implicit, ProtocolTrace.NONE);
      assertThat(client.isSecure()).isTrue();
      client.login(new Credentials.Password("u", "p"));
      client.quit();
    }
  }

  @Test
  void aConnectionLostAfterTheDataIsAnOutcomeUnknownNotAFailure() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250 mx.test");
              c.expect("MAIL FROM:<a@b>");
              c.send("250 ok");
              c.expect("RCPT TO:<c@d>");
              c.send("250 ok");
              c.expect("DATA");
              c.send("354 go");
              data(c);
              c.close(); // the reply to "." never comes
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.send("a@b", List.of("c@d"), -1, message("x\n")))
          .isInstanceOfSatisfying(
              SmtpOutcomeUnknownException.class, e -> assertThat(e.isTransient()).isTrue())
          .hasMessageContaining("may have been delivered");
    }
  }

  @Test
  void a421ToOneRecipientSentAheadEndsTheSessionWithoutAnotherCommand() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250-mx.test", "250 PIPELINING");
              c.expect("MAIL FROM:<a@b>");
              c.expect("RCPT TO:<one@x>");
              c.expect("RCPT TO:<two@x>");
              c.expect("DATA");
              c.send("250 ok", "421 4.3.2 shutting down");
              c.expectClose(); // nothing more may come: the server has gone
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.send("a@b", List.of("one@x", "two@x"), -1, message("x\n")))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(SmtpException.Kind.REFUSED);
                assertThat(e.command()).isEqualTo("RCPT TO:<one@x>");
                assertThat(e.reply().code()).isEqualTo(421);
                assertThat(e.isTransient()).isTrue();
              });
      client.quit();
      server.awaitScript();
    }
  }

  @Test
  void aServerThatHangsUpIsATransientConnectionFailureInItsOwnWords() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250 mx.test");
              c.expect("MAIL FROM:<a@b>");
              c.send("250 2.1.0 sender fine, going away now");
              c.expect("RCPT TO:<c@d>");
              c.close();
            })) {
      SmtpClient client = SmtpClient.connect(plain(server.port(), false), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.send("a@b", List.of("c@d"), -1, message("x\n")))
          .isInstanceOfSatisfying(
              SmtpException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(SmtpException.Kind.CONNECTION);
                assertThat(e.isTransient()).isTrue();
                assertThat(e.serverReply()).isEmpty();
              })
          .hasMessageContaining("closed the connection (RCPT TO:<c@d>)")
          .hasMessageContaining("sender fine, going away now");
    }
  }

  @Test
  void starttlsMissingIsASetupFailureThatARetryWouldNotMend() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("220 mx.test ESMTP");
              c.expect("EHLO popfetch.test");
              c.send("250 mx.test");
              c.expectClose();
            })) {
      SmtpSettings s = plain(server.port(), false);
      SmtpSettings starttls =
          new SmtpSettings(
              s.host(),
              s.port(),
              SmtpSettings.Tls.STARTTLS,
              s.trust(),
              s.timeouts(),
              s.dataDoneTimeout(),
              s.helo(),
              false,
              false);
      assertThatThrownBy(() -> SmtpClient.connect(starttls, ProtocolTrace.NONE))
          .isInstanceOfSatisfying(
              SmtpException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(SmtpException.Kind.SETUP);
                assertThat(e.isTransient()).isFalse();
              });
    }
  }
}
