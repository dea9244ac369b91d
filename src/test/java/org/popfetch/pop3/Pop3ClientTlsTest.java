package org.popfetch.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.pop3.Pop3TestSupport.IMPATIENT;
import static org.popfetch.pop3.Pop3TestSupport.expectQuit;
import static org.popfetch.pop3.Pop3TestSupport.greet;
import static org.popfetch.pop3.Pop3TestSupport.plain;
import static org.popfetch.pop3.Pop3TestSupport.tls;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.TlsTrust;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.TestPki;

class Pop3ClientTlsTest {
  private static final Credentials ALICE = new Credentials.Password("alice", "secret");

  @TempDir static Path dir;
  static TestPki pki;
  static TlsTrust caFile;
  static SSLContext good;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create("popfetch test CA");
    caFile = TlsTrust.withCaFile(pki.writeCaPem(dir.resolve("ca.pem")));
    good = pki.issue("127.0.0.1", "localhost").serverContext();
  }

  /** Implicit TLS whose handshake the client is expected to refuse; no line may follow it. */
  private static ScriptedServer refusedImplicit(SSLContext context) throws Exception {
    return new ScriptedServer(
        c -> {
          if (c.tryTls(context)) {
            c.expectClose();
          }
        });
  }

  private static void assertRefused(int port, TlsTrust trust, String why) {
    assertThatThrownBy(
            () -> Pop3Client.connect(tls(port, TlsMode.IMPLICIT, trust), ProtocolTrace.NONE))
        .isInstanceOf(Pop3SecurityException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageContaining(why);
  }

  @Test
  void implicitTlsWithTheCaFileTrusted() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            good,
            c -> {
              greet(c, "USER");
              c.expect("USER alice");
              c.send("+OK");
              c.expect("PASS secret");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", ".");
              expectQuit(c);
            })) {
      Pop3Client client =
          Pop3Client.connect(tls(server.port(), TlsMode.IMPLICIT, caFile), ProtocolTrace.NONE);
      assertThat(client.isSecure()).isTrue();
      client.login(ALICE, AuthMethod.AUTO);
      client.quit();
    }
  }

  @Test
  void aCertificateForAnotherHostIsRefused() throws Exception {
    try (ScriptedServer server = refusedImplicit(pki.issue("mail.example.org").serverContext())) {
      assertRefused(
          server.port(), caFile, "No subject alternative names matching IP address 127.0.0.1");
    }
  }

  @Test
  void aSelfSignedCertificateIsRefused() throws Exception {
    try (ScriptedServer server = refusedImplicit(TestPki.selfSigned("127.0.0.1").serverContext())) {
      assertRefused(server.port(), caFile, "not signed by a trusted CA");
    }
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    try (ScriptedServer server = refusedImplicit(pki.issueExpired("127.0.0.1").serverContext())) {
      assertRefused(server.port(), caFile, "certificate has expired");
    }
  }

  @Test
  void aCaNotInTheSystemStoreIsRefusedWithoutTheCaFile() throws Exception {
    try (ScriptedServer server = refusedImplicit(good)) {
      assertRefused(server.port(), TlsTrust.SYSTEM, "not signed by a trusted CA");
    }
  }

  @Test
  void aPinnedSelfSignedCertificateIsAccepted() throws Exception {
    TestPki.Leaf self = TestPki.selfSigned("some.other.name");
    try (ScriptedServer server =
        new ScriptedServer(
            self.serverContext(),
            c -> {
              greet(c, "USER");
              expectQuit(c);
            })) {
      TlsTrust pin =
          TlsTrust.pinned(TlsTrust.parseFingerprint(TlsTrust.formatFingerprint(self.sha256())));
      Pop3Client client =
          Pop3Client.connect(tls(server.port(), TlsMode.IMPLICIT, pin), ProtocolTrace.NONE);
      assertThat(client.isSecure()).isTrue();
      client.quit();
    }
  }

  @Test
  void aPinMismatchIsRefusedEvenForAValidChain() throws Exception {
    try (ScriptedServer server = refusedImplicit(good)) {
      byte[] other = TestPki.selfSigned("127.0.0.1").sha256();
      assertRefused(server.port(), TlsTrust.pinned(other), "does not match the pinned sha256:");
    }
  }

  @Test
  void stlsUpgradesAndForgetsThePlaintextCapabilities() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "STLS", "USER", "X-PRE-TLS");
              c.expect("STLS");
              c.send("+OK Begin TLS negotiation");
              c.startTls(good);
              c.expect("CAPA");
              c.send("+OK", "USER", "SASL PLAIN", "PIPELINING", ".");
              c.expect("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", "PIPELINING", ".");
              expectQuit(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(tls(server.port(), TlsMode.STARTTLS, caFile), trace);
      assertThat(client.isSecure()).isTrue();
      assertThat(client.capabilities().has("X-PRE-TLS")).isFalse();
      assertThat(client.capabilities().saslMechanisms()).containsExactly("PLAIN");
      client.login(ALICE, AuthMethod.AUTO);
      client.quit();
      assertThat(trace.sent()).contains("AUTH PLAIN ****");
    }
  }

  @Test
  void lowerCaseStlsInCapaCounts() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "stls", "user");
              c.expect("STLS");
              c.send("+OK");
              c.startTls(good);
              c.expect("CAPA");
              c.send("+OK", "USER", ".");
              expectQuit(c);
            })) {
      Pop3Client client =
          Pop3Client.connect(tls(server.port(), TlsMode.STARTTLS, caFile), ProtocolTrace.NONE);
      assertThat(client.isSecure()).isTrue();
      client.quit();
    }
  }

  @Test
  void stlsNotAdvertisedStopsBeforeAnyCredential() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER", "SASL PLAIN");
              c.expectClose();
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls(server.port(), TlsMode.STARTTLS, caFile), ProtocolTrace.NONE))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("does not offer STLS")
          .hasMessageContaining("no credentials sent");
    }
  }

  @Test
  void stlsRefusedStopsBeforeAnyCredential() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "STLS", "USER");
              c.expect("STLS");
              c.send("-ERR TLS not available right now");
              c.expectClose();
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls(server.port(), TlsMode.STARTTLS, caFile), ProtocolTrace.NONE))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("refused STLS: -ERR TLS not available right now");
    }
  }

  @Test
  void capaErrWithStlsRequiredStillTriesStlsAndNeverSendsCredentialsInClear() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK hi");
              c.expect("CAPA");
              c.send("-ERR what?");
              c.expect("STLS");
              c.send("-ERR what?");
              c.expectClose();
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls(server.port(), TlsMode.STARTTLS, caFile), ProtocolTrace.NONE))
          .isInstanceOf(Pop3SecurityException.class);
    }
  }

  @Test
  void bytesInjectedAfterTheStlsGoAheadAbortTheSession() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "STLS", "USER");
              c.expect("STLS");
              c.sendRaw("+OK Begin TLS\r\n+OK\r\nSASL PLAIN\r\n.\r\n".getBytes(ISO_8859_1));
              c.expectClose();
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls(server.port(), TlsMode.STARTTLS, caFile), ProtocolTrace.NONE))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("after the STLS go-ahead");
    }
  }

  @Test
  void plaintextGarbageInsteadOfAHandshakeIsRefused() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "STLS", "USER");
              c.expect("STLS");
              c.send("+OK");
              c.send("+OK this is not TLS at all", "+OK");
              // The client tried a TLS handshake (its ClientHello arrives here) and gave up:
              // nothing it sent may be a POP3 command, least of all a credential.
              String sent = c.readUntilClose();
              if (sent.contains("USER")
                  || sent.contains("PASS")
                  || sent.contains("AUTH")
                  || sent.contains("CAPA")) {
                throw new AssertionError(
                    "client sent POP3 commands in clear after a failed handshake: " + sent);
              }
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls(server.port(), TlsMode.STARTTLS, caFile), ProtocolTrace.NONE))
          .isInstanceOf(Pop3Exception.class)
          .isNotInstanceOf(Pop3ErrorException.class);
    }
  }

  @Test
  void aHandshakeThatStallsTimesOut() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "STLS");
              c.expect("STLS");
              c.send("+OK");
              c.stall();
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls(server.port(), TlsMode.STARTTLS, caFile).withTimeouts(IMPATIENT),
                      ProtocolTrace.NONE))
          .isInstanceOf(Pop3TimeoutException.class)
          .hasMessageContaining("STLS handshake");
    }
  }

  @Test
  void plaintextLoginIsRefusedUnlessAllowed() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER");
              c.expectClose();
            })) {
      Pop3Client client =
          Pop3Client.connect(
              plain(server.port()).withAllowPlaintextLogin(false), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.login(ALICE, AuthMethod.AUTO))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("without TLS");
      client.close();
    }
  }

  @Test
  void apopIsRefusedWithoutTls() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.login(ALICE, AuthMethod.APOP))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("APOP is refused without TLS");
      client.close();
    }
  }

  @Test
  void apopOverTlsSendsTheRfc1939Digest() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            good,
            c -> {
              greet(c); // greeting carries <1896.697170952@dbc.mtview.ca.us>
              c.expect("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
              c.send("+OK maildrop has 1 message (369 octets)");
              c.expect("CAPA");
              c.send("+OK", ".");
              expectQuit(c);
            })) {
      Pop3Client client =
          Pop3Client.connect(tls(server.port(), TlsMode.IMPLICIT, caFile), ProtocolTrace.NONE);
      client.login(new Credentials.Password("mrose", "tanstaaf"), AuthMethod.APOP);
      client.quit();
    }
  }

  @Test
  void aMalformedApopTimestampIsRefused() throws Exception {
    for (String greeting :
        new String[] {"+OK <no-at-sign>", "+OK <a@b@c>", "+OK <sp ace@x>", "+OK plain greeting"}) {
      try (ScriptedServer server =
          new ScriptedServer(
              good,
              c -> {
                c.send(greeting);
                c.expect("CAPA");
                c.send("+OK", ".");
                c.expectClose();
              })) {
        Pop3Client client =
            Pop3Client.connect(tls(server.port(), TlsMode.IMPLICIT, caFile), ProtocolTrace.NONE);
        assertThat(client.greeting().apopTimestamp()).as(greeting).isEmpty();
        assertThatThrownBy(() -> client.login(ALICE, AuthMethod.APOP))
            .isInstanceOf(Pop3SecurityException.class)
            .hasMessageContaining("no valid APOP timestamp");
        client.close();
      }
    }
  }
}
