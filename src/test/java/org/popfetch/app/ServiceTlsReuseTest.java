package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.TestPki;
import org.popfetch.testing.TlsFront;
import picocli.CommandLine;

/**
 * The running service over TLS: its polls resume the TLS session of the poll before, across a
 * reload that leaves the account's TLS settings alone, and a CA file changed before a reload is
 * what the next poll trusts.
 */
class ServiceTlsReuseTest {
  /** A cron that does not fire while the test runs: every poll here is one asked for. */
  private static final String NEVER = "0 0 0 1 1 ? 2099";

  @TempDir Path dir;
  private GreenMail greenMail;
  private GreenMailUser alice;
  private TlsFront front;
  private PopfetchDaemon daemon;
  private TestPki pki;

  @BeforeEach
  void start() throws Exception {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    alice = greenMail.setUser("alice@example.org", "alice", "pw-alice");
    pki = TestPki.create("popfetch service CA");
    front = TlsFront.forward(pki.issue("127.0.0.1"), greenMail.getPop3().getPort());
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.stop();
    }
    front.close();
    greenMail.stop();
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  /** The configuration: alice over implicit TLS through the front, trusting {@code ca.pem}. */
  private Path config(String timeout) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        accounts:
          - name: alice
            server: 127.0.0.1
            port: %d
            tls: implicit
            ca-file: %s
            timeout: %s
            user: alice
            password: pw-alice
            cron: "%s"
            deliver: { maildir: %s }
        """
            .formatted(
                dir.resolve("state.db"),
                front.port(),
                dir.resolve("ca.pem"),
                timeout,
                NEVER,
                dir.resolve("alice")));
    return file;
  }

  private void deliver(String subject) throws Exception {
    alice.deliver(
        GreenMailUtil.newMimeMessage(
            "From: a@example.org\r\nTo: alice@example.org\r\nSubject: "
                + subject
                + "\r\n\r\nbody\r\n"));
  }

  private long delivered() throws Exception {
    Path fresh = dir.resolve("alice").resolve("new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.count();
    }
  }

  private Run poll(Path file) {
    return popfetch("poll", "--config", file.toString());
  }

  @Test
  void pollsResumeTheSessionAcrossAReloadAndAChangedCaFileTakesEffectAtTheReload()
      throws Exception {
    pki.writeCaPem(dir.resolve("ca.pem"));
    Path file = config("60s");
    daemon = PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));

    deliver("one");
    Run first = poll(file);
    assertThat(first.status()).as(first.err()).isZero();
    assertThat(delivered()).isEqualTo(1);
    assertThat(poll(file).status()).as("nothing new").isEqualTo(ExitStatus.NO_MAIL.code);
    assertThat(front.handshakes()).isEqualTo(2);
    assertThat(front.fullHandshakes()).as("the second poll resumed the session").isEqualTo(1);

    // A reload that changes something else of the account keeps its TLS layer.
    config("90s");
    Run reload = popfetch("reload", "--config", file.toString());
    assertThat(reload.status()).as(reload.err()).isZero();
    deliver("two");
    Run afterReload = poll(file);
    assertThat(afterReload.status()).as(afterReload.err()).isZero();
    assertThat(delivered()).isEqualTo(2);
    assertThat(front.fullHandshakes()).as("still resumed after the reload").isEqualTo(1);

    // The CA file now names another CA: the next poll must not trust the server.
    TestPki.create("another CA").writeCaPem(dir.resolve("ca.pem"));
    assertThat(popfetch("reload", "--config", file.toString()).status()).isZero();
    deliver("three");
    Run refused = poll(file);
    assertThat(refused.status()).isEqualTo(ExitStatus.SOCKET.code);
    assertThat(refused.err()).contains("alice").contains("not signed by a trusted CA");
    assertThat(delivered()).isEqualTo(2);

    // And back: trusted again, with a full handshake (nothing from before the change resumed).
    pki.writeCaPem(dir.resolve("ca.pem"));
    assertThat(popfetch("reload", "--config", file.toString()).status()).isZero();
    Run again = poll(file);
    assertThat(again.status()).as(again.err()).isZero();
    assertThat(delivered()).isEqualTo(3);
    assertThat(front.fullHandshakes()).isEqualTo(3);
  }
}
