package org.popfetch.net;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.TestPki;
import org.popfetch.testing.TlsFront;

/**
 * TLS layers kept between connections: sessions resumed, and the certificate and host name checks
 * as strict as with a new layer, a changed CA file taking effect at the next connection.
 */
class TlsLayerReuseTest {
  @TempDir Path dir;
  static TestPki pki;
  static TestPki otherPki;
  static TestPki.Leaf good;

  @BeforeAll
  static void pki() {
    pki = TestPki.create("popfetch kept-layer CA");
    otherPki = TestPki.create("some other CA");
    good = pki.issue("127.0.0.1", "localhost");
  }

  /** One connection: the handshake under {@code host}, then the server's line. */
  private static String greeting(TlsLayer layer, String host, int port) throws IOException {
    Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
    plain.setSoTimeout(20_000);
    try (SSLSocket ssl = layer.wrap(plain, host, port)) {
      return new BufferedReader(new InputStreamReader(ssl.getInputStream(), US_ASCII)).readLine();
    }
  }

  private TlsTrust caFile(TestPki ca) throws IOException {
    return TlsTrust.withCaFile(ca.writeCaPem(dir.resolve("ca.pem")));
  }

  @Test
  void anUnchangedSettingIsServedByTheSameLayer() throws Exception {
    TlsTrust trust = caFile(pki);
    TlsLayer first = TlsLayer.forTrust(trust);
    assertThat(TlsLayer.forTrust(TlsTrust.withCaFile(dir.resolve("ca.pem")))).isSameAs(first);
    byte[] pin = good.sha256();
    assertThat(TlsLayer.forTrust(TlsTrust.pinned(pin.clone())))
        .as("a pin equal in value, not the same array")
        .isSameAs(TlsLayer.forTrust(TlsTrust.pinned(pin.clone())));
  }

  @Test
  void theNextConnectionResumesTheSessionWithoutACertificate() throws Exception {
    TlsTrust trust = caFile(pki);
    try (TlsFront server = TlsFront.greeting(good, "+OK ready")) {
      for (int i = 0; i < 3; i++) {
        assertThat(greeting(TlsLayer.forTrust(trust), "localhost", server.port()))
            .isEqualTo("+OK ready");
      }
      assertThat(server.handshakes()).isEqualTo(3);
      assertThat(server.fullHandshakes()).as("only the first sent a certificate").isEqualTo(1);
    }
  }

  @Test
  void aKeptLayerStillRefusesAHostNameTheCertificateDoesNotCarry() throws Exception {
    TlsTrust trust = caFile(pki);
    try (TlsFront server = TlsFront.greeting(good, "+OK ready");
        TlsFront elsewhere =
            TlsFront.greeting(pki.issue("mail.example.org"), "+OK somewhere else")) {
      TlsLayer layer = TlsLayer.forTrust(trust);
      assertThat(greeting(layer, "localhost", server.port())).isEqualTo("+OK ready");

      // The same server and port under a name its certificate lacks: no session to resume under
      // that name, so a full handshake whose host name check fails.
      assertThatThrownBy(() -> greeting(layer, "mail.example.net", server.port()))
          .isInstanceOf(TlsVerificationException.class)
          .hasMessageContaining("mail.example.net");
      // A server with a certificate for another name, signed by the same trusted CA.
      assertThatThrownBy(() -> greeting(TlsLayer.forTrust(trust), "localhost", elsewhere.port()))
          .isInstanceOf(TlsVerificationException.class)
          .hasMessageContaining("localhost");
      assertThat(TlsLayer.forTrust(trust)).isSameAs(layer);
      assertThat(greeting(layer, "localhost", server.port())).isEqualTo("+OK ready");
      assertThat(server.fullHandshakes()).isEqualTo(2);
    }
  }

  @Test
  void aChangedCaFileTakesEffectAtTheNextConnection() throws Exception {
    TlsTrust trust = caFile(pki);
    try (TlsFront server = TlsFront.greeting(good, "+OK ready")) {
      assertThat(greeting(TlsLayer.forTrust(trust), "localhost", server.port()))
          .isEqualTo("+OK ready");

      caFile(otherPki);
      assertThatThrownBy(() -> greeting(TlsLayer.forTrust(trust), "localhost", server.port()))
          .isInstanceOf(TlsVerificationException.class)
          .hasMessageContaining("not signed by a trusted CA");

      caFile(pki);
      assertThat(greeting(TlsLayer.forTrust(trust), "localhost", server.port()))
          .isEqualTo("+OK ready");
      assertThat(server.fullHandshakes())
          .as("the session trusted under the first CA file is not resumed after the change")
          .isEqualTo(3);
    }
  }

  @Test
  void aCaFileThatCannotBeReadIsAnErrorEachTime() throws Exception {
    TlsTrust trust = caFile(pki);
    TlsLayer.forTrust(trust);
    Files.delete(dir.resolve("ca.pem"));
    assertThatThrownBy(() -> TlsLayer.forTrust(trust))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("ca.pem");
    Files.writeString(dir.resolve("ca.pem"), "no certificate here\n");
    assertThatThrownBy(() -> TlsLayer.forTrust(trust)).isInstanceOf(IOException.class);
  }
}
