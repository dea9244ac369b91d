package org.popfetch.queue;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.smtp.MxResolver;
import org.popfetch.testing.AiosmtpdServer;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * Direct delivery by MX lookup against a DNS server of the test's own (dnsmasq on a loopback port):
 * the preferred MX does not answer, the next one takes the mail.
 */
class MxDeliveryIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;
  static Process dnsmasq;
  static int dnsPort;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("mx", "pw-mx"), TestPki.create("mx").issue("127.0.0.1"));
    // dnsmasq must be told its port number, which another program may take between our picking
    // it and dnsmasq binding it: dnsmasq then exits, and it is started again on a fresh port.
    for (int attempt = 1; !startDnsmasq(); attempt++) {
      if (attempt == 3) {
        throw new IllegalStateException("dnsmasq found no free port: " + dnsmasqLog());
      }
    }
  }

  /** Starts dnsmasq on a free port; false if the port was taken before dnsmasq could bind it. */
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
                "--user=root",
                "--mx-host=example.test,mail.example.test,10",
                "--mx-host=example.test,backup.example.test,20",
                // The preferred MX has an address nothing listens on: the backup must take over.
                "--host-record=mail.example.test,127.0.0.3",
                "--host-record=backup.example.test,127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(shared.resolve("dnsmasq.log").toFile())
            .start();
    // dnsmasq has no readiness signal: ask it until it answers.
    MxResolver resolver =
        new MxResolver(
            Optional.of(new InetSocketAddress("127.0.0.1", dnsPort)), Duration.ofMillis(500));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(resolver.lookup("example.test") instanceof MxResolver.Result.Hosts)) {
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

  @Test
  void mailGoesToTheFirstMxHostThatAnswers() throws Exception {
    dovecot.deliver("mx", Mail.message("mx-1", 10).getBytes(ISO_8859_1));
    try (AiosmtpdServer smtp = AiosmtpdServer.start(dir)) {
      Path config = dir.resolve("popfetch.yaml");
      Files.createFile(
          config,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          config,
          """
          state: { url: "jdbc:sqlite:%s" }
          queue: { resolver: "127.0.0.1:%d" }
          accounts:
            - name: mx
              server: 127.0.0.1
              port: %d
              tls: none
              user: mx
              password: pw-mx
              deliver: { smtp: { mx: true, port: %d, tls: none, to: [bob@example.test] } }
          """
              .formatted(dir.resolve("state.db"), dnsPort, dovecot.pop3Port(), smtp.port()));
      StringWriter out = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(out, true));
      int status = cli.execute("poll", "--config", config.toString());
      assertThat(status).as(out.toString()).isZero();
      try (var files = Files.list(smtp.maildir().resolve("new"))) {
        assertThat(files.toList())
            .singleElement()
            .satisfies(
                f ->
                    assertThat(Files.readString(f))
                        .contains("X-RcptTo: bob@example.test")
                        .contains("Message-ID: <mx-1@popfetch.test>"));
      }
      assertThat(new MailQueue(dir.resolve("queue"), Clock.systemUTC()).entries()).isEmpty();
    }
  }
}
