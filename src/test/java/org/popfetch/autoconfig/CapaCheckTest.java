package org.popfetch.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.TlsMode;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.TestPki;

/** The check of a suggested server, against scripted servers. */
class CapaCheckTest {
  @TempDir static Path dir;
  static TestPki pki;
  static TlsTrust trust;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create("capa");
    trust = TlsTrust.withCaFile(pki.writeCaPem(dir.resolve("ca.pem")));
  }

  private static Suggestion at(int port, TlsMode tls) {
    return new Suggestion(
        "localhost", port, tls, "alice@example.test", Optional.empty(), "test", List.of());
  }

  private static final Timeouts QUICK = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));

  @Test
  void reportsWhatTheServerOffersOverTlsWithoutLoggingIn() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            pki.issue("localhost").serverContext(),
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send(
                  "+OK",
                  "TOP",
                  "UIDL",
                  "SASL PLAIN XOAUTH2",
                  "IMPLEMENTATION \u001b[2JEvil\u009b",
                  ".");
              c.expect("QUIT");
              c.send("+OK bye");
            })) {
      CapaCheck.Report r =
          CapaCheck.check(at(server.port(), TlsMode.IMPLICIT), trust, QUICK, ProtocolTrace.NONE);
      server.awaitScript();
      assertThat(r.failure()).isEmpty();
      assertThat(r.secure()).isTrue();
      assertThat(r.uidl()).isTrue();
      assertThat(r.top()).isTrue();
      assertThat(r.saslMechanisms()).containsExactly("PLAIN", "XOAUTH2");
      assertThat(r.implementation())
          .hasValueSatisfying(
              i -> assertThat(i).doesNotContain("\u001b", "\u009b").contains("\\x1b[2JEvil"));
    }
  }

  @Test
  void aServerWithoutStlsFailsTheCheckWithTheReason() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "UIDL", ".");
              c.readUntilClose();
            })) {
      CapaCheck.Report r =
          CapaCheck.check(at(server.port(), TlsMode.STARTTLS), trust, QUICK, ProtocolTrace.NONE);
      assertThat(r.failure()).hasValueSatisfying(f -> assertThat(f).containsIgnoringCase("STLS"));
    }
  }

  @Test
  void aCertificateForAnotherNameFailsTheCheck() throws Exception {
    ScriptedServer server =
        new ScriptedServer(
            pki.issue("pop.elsewhere.test").serverContext(), c -> c.readUntilClose());
    CapaCheck.Report r =
        CapaCheck.check(at(server.port(), TlsMode.IMPLICIT), trust, QUICK, ProtocolTrace.NONE);
    assertThat(r.failure()).hasValueSatisfying(f -> assertThat(f).contains("TLS", "localhost"));
    assertThat(r.secure()).isFalse();
    // The server's side ends in the handshake the client refused: the client's alert, or a broken
    // pipe when the client hung up before the server's flight was written; never a session.
    assertThatThrownBy(server::close).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void nothingListeningFailsTheCheck() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CapaCheck.Report r =
        CapaCheck.check(at(port, TlsMode.IMPLICIT), trust, QUICK, ProtocolTrace.NONE);
    assertThat(r.failure()).hasValueSatisfying(f -> assertThat(f).contains("cannot connect"));
  }
}
