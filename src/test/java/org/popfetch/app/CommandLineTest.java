package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.store.StateLock;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The commands as a user runs them: exit statuses, messages, the trace. */
class CommandLineTest {
  @TempDir Path dir;
  GreenMail greenMail;

  @BeforeEach
  void start() throws Exception {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    greenMail
        .setUser("carol@example.org", "carol", "s3cret-pw")
        .deliver(
            GreenMailUtil.newMimeMessage("From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n"));
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  private Path config(String mode, String password) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        accounts:
          - name: carol
            server: 127.0.0.1
            port: %d
            tls: none
            user: carol
            password: %s
            deliver: { maildir: %s }
        """
            .formatted(
                dir.resolve("state.db"),
                greenMail.getPop3().getPort(),
                password,
                dir.resolve("Maildir")));
    return file;
  }

  @Test
  void configCheckSaysOkWithoutTouchingTheNetwork() throws Exception {
    Path file = config("rw-------", "s3cret-pw");
    greenMail.stop();
    Run run = popfetch("config", "check", "--config", file.toString());
    assertThat(run.status()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("OK, 1 account(s)")
        .contains("carol")
        .doesNotContain("s3cret-pw");
  }

  @Test
  void aMalformedConfigNamesFileLineAndKey() throws Exception {
    Path file = config("rw-------", "s3cret-pw");
    Files.writeString(file, Files.readString(file).replace("port:", "prot:"));
    Run run = popfetch("poll", "--config", file.toString());
    assertThat(run.status()).isEqualTo(5);
    assertThat(run.output())
        .contains(file + ":5: accounts[0].prot: unknown key (did you mean 'port'?)");
  }

  @Test
  void aPasswordInAConfigOthersCanReadIsRefused() throws Exception {
    Run run = popfetch("poll", "--config", config("rw-r--r--", "s3cret-pw").toString());
    assertThat(run.status()).as(run.output()).isEqualTo(6);
    assertThat(run.output()).contains("chmod 600").doesNotContain("s3cret-pw");
  }

  @Test
  void anUnknownAccountNameIsASyntaxError() throws Exception {
    Run run = popfetch("poll", "--config", config("rw-------", "s3cret-pw").toString(), "nobody");
    assertThat(run.status()).isEqualTo(5);
    assertThat(run.output()).contains("no account named nobody");
  }

  @Test
  void aWrongPasswordExitsWithTheAuthStatus() throws Exception {
    Run run = popfetch("poll", "--config", config("rw-------", "wrong").toString());
    assertThat(run.status()).isEqualTo(3);
  }

  @Test
  void aSecondPollWithTheSameStateIsRefused() throws Exception {
    Path file = config("rw-------", "s3cret-pw");
    Optional<StateLock> held = StateLock.tryAcquire("jdbc:sqlite:" + dir.resolve("state.db"));
    assertThat(held).isPresent();
    try (StateLock lock = held.get()) {
      Run run = popfetch("poll", "--config", file.toString());
      assertThat(run.status()).isEqualTo(8);
      assertThat(run.output()).contains("another popfetch is polling");
    }
  }

  @Test
  void pollThenCheckThenTraceWithThePasswordMasked() throws Exception {
    Path file = config("rw-------", "s3cret-pw");
    assertThat(popfetch("check", "--config", file.toString()).status()).isZero();
    Logger trace = (Logger) LoggerFactory.getLogger("org.popfetch.trace");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    trace.addAppender(events);
    try {
      Run run = popfetch("poll", "--trace", "--config", file.toString());
      assertThat(run.status()).as(run.output()).isZero();
    } finally {
      trace.detachAppender(events);
    }
    assertThat(events.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("C: AUTH PLAIN ****") || m.contains("C: PASS ****"))
        .anyMatch(m -> m.contains("C: RETR 1"))
        .noneMatch(m -> m.contains("s3cret-pw"));
    Run check = popfetch("check", "--config", file.toString());
    assertThat(check.status()).isEqualTo(1);
  }
}
