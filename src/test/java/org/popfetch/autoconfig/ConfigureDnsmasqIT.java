package org.popfetch.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.TlsMode;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.TestPki;

/**
 * SRV discovery against a real DNS server (dnsmasq on a loopback port) serving RFC 6186 records,
 * then the CAPA check against a real Dovecot found through them.
 */
class ConfigureDnsmasqIT {
  @TempDir static Path shared;
  static Process dnsmasq;
  static int dnsPort;
  static DovecotServer dovecot;
  static TlsTrust trust;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("configure");
    trust = TlsTrust.withCaFile(pki.writeCaPem(shared.resolve("ca.pem")));
    dovecot =
        DovecotServer.start(
            DovecotServer.users("alice", "pw"), pki.issue("localhost", "127.0.0.1"));
    // dnsmasq must be told its port, which another program may take first: then try another.
    for (int attempt = 1; !startDnsmasq(); attempt++) {
      if (attempt == 3) {
        throw new IllegalStateException("dnsmasq found no free port: " + dnsmasqLog());
      }
    }
  }

  private static boolean startDnsmasq() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      dnsPort = s.getLocalPort();
    }
    dnsmasq =
        new ProcessBuilder(
                "/usr/sbin/dnsmasq",
                "--no-daemon",
                "--port=" + dnsPort,
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--pid-file=",
                "--user=root",
                "--local=/example.test/",
                "--local=/closed.test/",
                "--local=/hoster.test/",
                "--srv-host=_pop3s._tcp.example.test,pop2.example.test,995,10,5",
                "--srv-host=_pop3s._tcp.example.test,pop.example.test,995,0,10",
                "--srv-host=_pop3s._tcp.example.test,pop3.example.test,995,0,5",
                "--srv-host=_pop3._tcp.example.test,pop.example.test,110,0,10",
                "--srv-host=_pop3._tcp.starttls.example.test,pop.example.test,110,0,10",
                "--srv-host=_pop3s._tcp.closed.test",
                "--srv-host=_pop3._tcp.closed.test",
                "--srv-host=_pop3s._tcp.hoster.test,localhost," + dovecot.pop3sPort() + ",0,0")
            .redirectErrorStream(true)
            .redirectOutput(shared.resolve("dnsmasq.log").toFile())
            .start();
    // dnsmasq has no readiness signal: ask it until it answers.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (find("alice@example.test").suggestion().isEmpty()) {
      if (!dnsmasq.isAlive() && dnsmasqLog().contains("in use")) {
        return false;
      }
      if (System.nanoTime() > deadline || !dnsmasq.isAlive()) {
        throw new IllegalStateException("dnsmasq did not answer: " + dnsmasqLog());
      }
      dnsmasq.waitFor(50, TimeUnit.MILLISECONDS);
    }
    return true;
  }

  private static String dnsmasqLog() throws IOException {
    return Files.readString(shared.resolve("dnsmasq.log"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dnsmasq != null) {
      dnsmasq.destroy();
      dnsmasq.waitFor(10, TimeUnit.SECONDS);
    }
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static Finding find(String address) throws IOException {
    return new SrvLookup(
            Optional.of(new InetSocketAddress("127.0.0.1", dnsPort)), Duration.ofMillis(500))
        .find(EmailAddress.parse(address));
  }

  @Test
  void pop3sWithTheLowestPriorityAndHighestWeightIsChosen() throws Exception {
    Suggestion s = find("alice@example.test").suggestion().orElseThrow();
    assertThat(s.host()).isEqualTo("pop.example.test");
    assertThat(s.port()).isEqualTo(995);
    assertThat(s.tls()).isEqualTo(TlsMode.IMPLICIT);
    assertThat(s.warnings()).isEmpty();
  }

  @Test
  void onlyPop3GivesStls() throws Exception {
    Suggestion s = find("bob@starttls.example.test").suggestion().orElseThrow();
    assertThat(s.tls()).isEqualTo(TlsMode.STARTTLS);
    assertThat(s.port()).isEqualTo(110);
  }

  @Test
  void dotTargetsSayNotOffered() throws Exception {
    Finding f = find("carol@closed.test");
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.refused()).isTrue();
  }

  @Test
  void anUnknownNameIsNone() throws Exception {
    Finding f = find("dave@nothing.example.test");
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.refused()).isFalse();
    assertThat(f.tried()).allSatisfy(l -> assertThat(l).contains("none"));
  }

  @Test
  void theServerFoundIsCheckedAgainstRealDovecot() throws Exception {
    Suggestion s = find("alice@hoster.test").suggestion().orElseThrow();
    assertThat(s.warnings()).singleElement().asString().contains("does not match");
    CapaCheck.Report r =
        CapaCheck.check(
            s,
            trust,
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            ProtocolTrace.NONE);
    assertThat(r.failure()).isEmpty();
    assertThat(r.secure()).isTrue();
    assertThat(r.uidl()).isTrue();
    assertThat(r.top()).isTrue();
    assertThat(r.saslMechanisms()).contains("PLAIN");
  }
}
