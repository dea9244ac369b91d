package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
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
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountPoll;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Each way an account's poll can fail at the destination says, in one line, what failed, the OS's
 * reason and what to do, with the documented status: in {@code poll} and in {@code run}. And a poll
 * that finds nothing is no news: DEBUG in the service, nothing at all with {@code poll --quiet}.
 */
class AccountFailureLinesTest {
  @TempDir Path dir;
  GreenMail greenMail;
  ListAppender<ILoggingEvent> events;
  Logger root;
  Path readOnly;

  @BeforeEach
  void start() {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    events = new ListAppender<>();
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void stop() throws Exception {
    root.detachAppender(events);
    greenMail.stop();
    if (readOnly != null && isRoot()) {
      new ProcessBuilder("umount", readOnly.toString()).inheritIO().start().waitFor();
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void mail() {
    greenMail
        .setUser("carol@example.org", "carol", "s3cret-pw")
        .deliver(
            GreenMailUtil.newMimeMessage("From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n"));
  }

  /**
   * A directory popfetch cannot write into: a read-only file system as root (to whom modes mean
   * nothing), a directory without write permission otherwise.
   */
  private Path unwritable() throws Exception {
    readOnly = Files.createDirectories(dir.resolve("ro"));
    if (isRoot()) {
      Process m =
          new ProcessBuilder(
                  "mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly.toString())
              .inheritIO()
              .start();
      Assumptions.assumeTrue(m.waitFor() == 0, "mounting a read-only tmpfs (CI runs as root)");
    } else {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    return readOnly;
  }

  private Path config(String deliver, String schedule) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        accounts:
          - name: carol
            server: 127.0.0.1
            port: %d
            tls: none
            user: carol
            password: s3cret-pw
            %s
            deliver: %s
        """
            .formatted(dir.resolve("state.db"), greenMail.getPop3().getPort(), schedule, deliver));
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(Main.execute(cli, args), out.toString(), err.toString());
  }

  /** What an admin sees of a failure: warnings and errors logged, and the command's own lines. */
  private List<String> failureLines(Run run) {
    return Stream.concat(
            events.list.stream()
                .filter(e -> e.getLoggerName().startsWith("org.popfetch."))
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage),
            Stream.concat(run.err().lines(), run.out().lines()))
        .toList();
  }

  private String onlyFailureLine(Run run) {
    List<String> lines = failureLines(run);
    assertThat(lines).as("one line for one failure").hasSize(1);
    assertThat(String.join("\n", lines))
        .doesNotContain("\tat ")
        .doesNotContain("Exception")
        .doesNotContain("[argv=");
    return lines.get(0);
  }

  @Test
  void aPipeThatWouldRunAsRootSaysSoAndWhatToDo() throws Exception {
    Assumptions.assumeTrue(isRoot(), "needs root, as CI has");
    mail();
    Run run = popfetch("poll", "--config", config("{ pipe: [/bin/cat] }", "").toString());
    assertThat(run.status()).isEqualTo(ExitStatus.DELIVERY.code);
    assertThat(onlyFailureLine(run))
        .startsWith("carol: poll failed (DELIVERY): refusing to run /bin/cat as root")
        .contains("give the pipe a user: to run it as, or allow-root: true")
        .endsWith("; the mail stays on the server until then");
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  @Test
  void aMaildirPopfetchCannotWriteSaysWhyAndWhatToDo() throws Exception {
    mail();
    Path maildir = unwritable().resolve("Maildir");
    Run run = popfetch("poll", "--config", config("{ maildir: " + maildir + " }", "").toString());
    assertThat(run.status()).isEqualTo(ExitStatus.DELIVERY.code);
    assertThat(onlyFailureLine(run))
        .startsWith("carol: poll failed (DELIVERY): cannot create Maildir " + maildir + ": ")
        .containsAnyOf(
            ": Read-only file system; make it writable (a systemd unit needs it in"
                + " ReadWritePaths=)",
            ": permission denied; let the user popfetch runs as (")
        .endsWith("the mail stays on the server until then");
  }

  @Test
  void anMboxPopfetchCannotWriteSaysWhyAndWhatToDo() throws Exception {
    mail();
    Path mbox = unwritable().resolve("mbox");
    Run run = popfetch("poll", "--config", config("{ mbox: " + mbox + " }", "").toString());
    assertThat(run.status()).isEqualTo(ExitStatus.DELIVERY.code);
    assertThat(onlyFailureLine(run))
        .contains(mbox + ": ")
        .containsAnyOf(
            ": Read-only file system; make it writable (a systemd unit needs it in"
                + " ReadWritePaths=)",
            ": permission denied; let the user popfetch runs as (")
        .endsWith("the mail stays on the server until then");
  }

  @Test
  void theServiceLogsTheSameLineForAMaildirItCannotWrite() throws Exception {
    mail();
    Path maildir = unwritable().resolve("Maildir");
    Path file = config("{ maildir: " + maildir + " }", "cron: \"* * * * * ?\"");
    try (PopfetchDaemon daemon =
        PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  List.copyOf(events.list).stream()
                      .anyMatch(
                          e ->
                              e.getLevel() == Level.WARN
                                  && e.getFormattedMessage()
                                      .startsWith(
                                          "carol: poll failed (DELIVERY): cannot create Maildir "
                                              + maildir)
                                  && e.getFormattedMessage()
                                      .endsWith("the mail stays on the server until then")));
    }
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  @Test
  void aPollThatFindsNothingIsDebugInTheServiceAndOneInfoLineForPoll() throws Exception {
    greenMail.setUser("carol@example.org", "carol", "s3cret-pw");
    Logger poll = (Logger) LoggerFactory.getLogger(AccountPoll.class);
    Level before = poll.getLevel();
    poll.setLevel(Level.DEBUG);
    try {
      Path file = config("{ maildir: " + dir.resolve("Maildir") + " }", "cron: \"* * * * * ?\"");
      try (PopfetchDaemon daemon =
          PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    List.copyOf(events.list).stream()
                        .anyMatch(e -> e.getFormattedMessage().startsWith("carol: 0 on server")));
      }
      assertThat(List.copyOf(events.list))
          .filteredOn(e -> e.getFormattedMessage().startsWith("carol: 0 on server"))
          .extracting(ILoggingEvent::getLevel)
          .containsOnly(Level.DEBUG);
      events.list.clear();
      Run run = popfetch("poll", "--config", file.toString());
      assertThat(run.status()).isEqualTo(ExitStatus.NO_MAIL.code);
      assertThat(List.copyOf(events.list))
          .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
          .extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("carol: no new mail (0 on the server)");
    } finally {
      poll.setLevel(before);
    }
  }

  @Test
  void aQuietPollThatFindsNothingPrintsNothing() throws Exception {
    greenMail.setUser("carol@example.org", "carol", "s3cret-pw");
    Path file = config("{ maildir: " + dir.resolve("Maildir") + " }", "");
    Run run = popfetch("poll", "--quiet", "--config", file.toString());
    assertThat(run.status()).isEqualTo(ExitStatus.NO_MAIL.code);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEmpty();
    assertThat(events.list)
        .filteredOn(e -> e.getLoggerName().startsWith("org.popfetch."))
        .isEmpty();
    assertThat(root.getLevel()).as("the level is given back").isEqualTo(Level.INFO);
  }

  @Test
  void aQuietPollStillSaysWhatFailed() throws Exception {
    greenMail.setUser("carol@example.org", "carol", "another-pw");
    Path file = config("{ maildir: " + dir.resolve("Maildir") + " }", "");
    Run run = popfetch("poll", "-q", "--config", file.toString());
    assertThat(run.status()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(onlyFailureLine(run))
        .startsWith("carol: poll failed (AUTH): ")
        .endsWith("; check user: and password: (or oauth-token:) of the account");
  }

  @Test
  void aStateDirectoryPopfetchCannotWriteIsOneLineWithTheReason() throws Exception {
    Path state = unwritable();
    if (isRoot()) {
      // The directory exists (the mount point) on a read-only file system.
      assertThat(Files.isDirectory(state)).isTrue();
    }
    Path file = config("{ maildir: " + dir.resolve("Maildir") + " }", "");
    Files.writeString(
        file,
        Files.readString(file).replace(dir.resolve("state.db").toString(), state + "/state.db"));
    for (String command : new String[] {"poll", "check", "run"}) {
      events.list.clear();
      Run run = popfetch(command, "--config", file.toString());
      assertThat(run.status()).as(command).isEqualTo(ExitStatus.INTERNAL.code);
      assertThat(onlyFailureLine(run))
          .as(command)
          .startsWith("popfetch: cannot use the state directory " + state + ": ")
          // The OS's words for this case, not a guess from a yes/no access check.
          .contains(isRoot() ? ": Read-only file system; " : ": permission denied; ")
          .contains("or point state.url in " + file + " elsewhere");
    }
  }

  @Test
  void aDeliveryAgentThatSaysTryLaterIsOneWarningLine() throws Exception {
    mail();
    Path file =
        config("{ pipe: [/bin/sh, -c, \"cat >/dev/null; exit 75\"], allow-root: true }", "");
    Run run = popfetch("poll", "--config", file.toString());
    assertThat(run.status()).isEqualTo(ExitStatus.DELIVERY.code);
    assertThat(onlyFailureLine(run))
        .startsWith("carol: poll failed (DELIVERY): ")
        .contains("exited with 75 (EX_TEMPFAIL); the delivery agent asked to try later")
        .endsWith("; the mail stays on the server until then");
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  @Test
  void aQueueDirectoryPopfetchCannotWriteIsOneLineNotAnInternalError() throws Exception {
    Path queue = unwritable().resolve("queue");
    Path file = config("{ smtp: { host: localhost, to: [carol@example.org] } }", "");
    Files.writeString(
        file,
        Files.readString(file).replace("accounts:", "queue: { dir: " + queue + " }\naccounts:"));
    for (String command : new String[] {"poll", "run"}) {
      events.list.clear();
      Run run = popfetch(command, "--config", file.toString());
      assertThat(run.status()).as(command).isEqualTo(ExitStatus.INTERNAL.code);
      assertThat(onlyFailureLine(run))
          .as(command)
          .startsWith("popfetch: cannot use the queue directory " + queue + ": ")
          .contains(isRoot() ? ": Read-only file system; " : ": permission denied; ")
          .endsWith("or point queue.dir in " + file + " elsewhere")
          .doesNotContain("internal error");
    }
  }
}
