package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueueEntry;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.ScriptedServer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * What a server or a message says never drives the admin's terminal: no ESC, BEL, C1 control or
 * bidi override from them reaches the output of a command, nor a log line.
 */
class HostileTextTest {
  /**
   * Sets the terminal's title, clears the screen, then CSI (one C1 byte) and a right-to-left
   * override.
   */
  static final String HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil";

  @TempDir Path dir;

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  private static void assertNoControls(String output) {
    assertThat(
            output
                .chars()
                .filter(
                    c ->
                        c < 0x20 && c != '\n' && c != '\r' && c != '\t'
                            || c == 0x7f
                            || c >= 0x80 && c < 0xa0
                            || c >= 0x202a && c <= 0x202e
                            || c >= 0x2066 && c <= 0x2069))
        .as("control characters in:%n%s", output)
        .isEmpty();
  }

  private Path config(int port, Path maildir) throws IOException {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        queue: { dir: %s }
        accounts:
          - name: carol
            server: 127.0.0.1
            port: %d
            tls: none
            user: carol
            password: s3cret-pw
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state.db"), dir.resolve("queue"), port, maildir));
    return file;
  }

  @Test
  void checkShowsAServersErrorEscaped() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "USER", ".");
              c.expect("USER carol");
              c.send("+OK");
              c.expect("PASS s3cret-pw");
              c.send("-ERR " + HOSTILE);
              c.readUntilClose();
            })) {
      Run run =
          popfetch("check", "--config", config(server.port(), dir.resolve("Maildir")).toString());

      assertThat(run.status()).as(run.output()).isEqualTo(ExitStatus.AUTH.code);
      assertThat(run.output()).contains("failed:").contains("\\x1b]0;pwned\\x07\\x1b[2J");
      assertNoControls(run.output());
    }
  }

  @Test
  void queueListShowsThePeersWordsEscaped() throws Exception {
    Path file = config(1, dir.resolve("Maildir"));
    MailQueue queue = new MailQueue(dir.resolve("queue"), Clock.systemUTC());
    // The queue refuses a recipient that could break a line or a command; what it does keep
    // from a peer is the peer's own words, the last reply, which queue list shows.
    MailQueue.Pending p =
        queue.stage(
            "s@example.org",
            List.of("evil@example.org"),
            "smarthost",
            out -> {
              out.write("Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
              return 17;
            });
    queue.commit(List.of(p));
    QueueEntry entry = p.entry();
    queue.defer(entry.with(entry.recipients(), 1, "451 4.3.0 " + HOSTILE), Instant.now());

    Run run = popfetch("queue", "list", "--config", file.toString());

    assertThat(run.status()).as(run.output()).isZero();
    assertThat(run.output()).contains("evil@example.org").contains("451 4.3.0 \\x1b]0;pwned");
    assertNoControls(run.output());
  }

  @Test
  void theLogEscapesWhatACallSitePassedOnRaw() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> console =
        (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDERR");
    LoggingEvent event =
        new LoggingEvent(
            getClass().getName(),
            root,
            Level.WARN,
            "server said {}",
            new IOException("-ERR " + HOSTILE),
            new Object[] {HOSTILE + "\r\n12:00:00.000 INFO forged line"});

    String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);

    assertNoControls(line);
    assertThat(line)
        .contains("server said \\x1b]0;pwned\\x07")
        .contains("\\x0d\\x0a12:00:00.000 INFO forged line");
    assertThat(line)
        .contains("java.io.IOException: -ERR \\x1b]0;pwned")
        .contains("\tat org.popfetch.app.HostileTextTest");
  }

  @Test
  void pollIntoAMaildirAUserLinkedElsewhereExitsTenAndLeavesTheMailOnTheServer() throws Exception {
    Path home = Files.createDirectory(dir.resolve("home"));
    if ("root".equals(System.getProperty("user.name"))) {
      Files.setOwner(
          home,
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    } else {
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    Path victim = Files.createDirectory(dir.resolve("victim"));
    Path maildir = Files.createSymbolicLink(home.resolve("Maildir"), victim);
    Run run;
    try (RefusingPort closed = new RefusingPort()) { // held: nothing else can answer there
      run = popfetch("poll", "--config", config(closed.port(), maildir).toString());
    }

    // 10, not 2: the Maildir was refused before any connection; the mail was never touched.
    assertThat(run.status()).as(run.output()).isEqualTo(ExitStatus.DELIVERY.code);
    try (var s = Files.list(victim)) {
      assertThat(s.toList()).isEmpty();
    }
  }
}
