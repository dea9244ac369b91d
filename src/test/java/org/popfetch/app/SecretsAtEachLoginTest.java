package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.user.GreenMailUser;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountPoll;
import org.popfetch.fetch.PollFailure;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code popfetch run} reads each account's password at each login, not once when it starts: a
 * secret command runs once per poll, a rotated password file is read at the next poll, and a source
 * that cannot answer fails that account's poll with one line while the service and its other
 * accounts go on.
 */
class SecretsAtEachLoginTest {
  /** A cron that does not fire while the test runs: every poll is one asked for. */
  private static final String NEVER = "0 0 0 1 1 ? 2099";

  @TempDir Path dir;
  private GreenMail greenMail;
  private GreenMailUser alice;
  private GreenMailUser bob;
  private PopfetchDaemon daemon;
  private ListAppender<ILoggingEvent> events;
  private Logger root;

  @BeforeEach
  void start() {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    alice = greenMail.setUser("alice@example.org", "alice", "pw-alice");
    bob = greenMail.setUser("bob@example.org", "bob", "pw-bob");
    root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    events = new ListAppender<>();
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.stop();
    }
    root.detachAppender(events);
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

  /** One account block; {@code password} is the YAML of its secret. */
  private String account(String name, String password, String cron) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: none
        user: %1$s
        password: %3$s
        cron: "%4$s"
        deliver: { maildir: %5$s }
    """
        .formatted(name, greenMail.getPop3().getPort(), password, cron, dir.resolve(name));
  }

  private Path config(String... accounts) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(
        file,
        "state: { url: \"jdbc:sqlite:%s\" }\naccounts:\n%s"
            .formatted(dir.resolve("state.db"), String.join("", accounts)));
  }

  /** A secret command that notes each run in {@code counter} and prints the password. */
  private String countingCommand(Path counter, String password) {
    return "{ command: [/bin/sh, -c, \"echo run >> %s; echo %s\"] }".formatted(counter, password);
  }

  private static long lines(Path file) throws Exception {
    if (!Files.exists(file)) {
      return 0;
    }
    try (Stream<String> s = Files.lines(file)) {
      return s.count();
    }
  }

  private long delivered(String user) throws Exception {
    Path fresh = dir.resolve(user).resolve("new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.count();
    }
  }

  private static void deliver(GreenMailUser user, String subject) throws Exception {
    user.deliver(
        GreenMailUtil.newMimeMessage(
            "From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n"));
  }

  private void startService(Path file) throws Exception {
    daemon = PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));
  }

  @Test
  void aSecretCommandRunsAtEachLoginOfTheService() throws Exception {
    Path counter = dir.resolve("runs");
    Path file = config(account("alice", countingCommand(counter, "pw-alice"), NEVER));
    startService(file);
    long atStart = lines(counter);
    assertThat(atStart).as("nothing is read before a login").isZero();

    for (int poll = 1; poll <= 3; poll++) {
      deliver(alice, "mail " + poll);
      Run run = popfetch("poll", "--config", file.toString());
      assertThat(run.status()).as(run.err()).isZero();
      assertThat(lines(counter)).as("runs after poll " + poll).isEqualTo(poll);
    }
    assertThat(delivered("alice")).isEqualTo(3);
  }

  @Test
  void aSecretCommandRunsAtEachScheduledPoll() throws Exception {
    Path counter = dir.resolve("runs");
    Path file = config(account("alice", countingCommand(counter, "pw-alice"), "* * * * * ?"));
    Logger poll = (Logger) LoggerFactory.getLogger(AccountPoll.class);
    Level before = poll.getLevel();
    poll.setLevel(Level.DEBUG); // a poll that finds nothing says so at DEBUG
    try {
      startService(file);
      await().atMost(Duration.ofSeconds(60)).until(() -> polls("alice: 0 on server").size() >= 3);
      // The stop lets a poll in flight finish; its line is still logged at DEBUG and counted.
      daemon.stop();
      daemon = null;
    } finally {
      poll.setLevel(before);
    }
    assertThat(lines(counter))
        .as("one run per login")
        .isEqualTo(polls("alice: 0 on server").size());
    assertThat(polls("alice: poll failed")).isEmpty();
  }

  /** What was logged so far; the appender adds under its own lock, from the polls' threads. */
  private List<ILoggingEvent> logged() {
    synchronized (events) {
      return List.copyOf(events.list);
    }
  }

  private List<String> polls(String prefix) {
    return logged().stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith(prefix))
        .toList();
  }

  @Test
  void aSourceThatCannotAnswerFailsThatPollOnlyAndTheNextPollReadsItAgain() throws Exception {
    Path passFile = dir.resolve("bob.pass");
    Path file =
        config(
            account("alice", "pw-alice", NEVER),
            account("bob", "{ file: " + passFile + " }", NEVER));
    startService(file); // the missing file does not stop the service from starting
    deliver(alice, "for alice");
    deliver(bob, "for bob");

    Run failed = popfetch("poll", "--config", file.toString());
    assertThat(failed.status()).as(failed.err()).isEqualTo(ExitStatus.SYNTAX.code);
    String remedy = new PollFailure(PollFailure.Kind.CREDENTIALS, "x").remedy();
    assertThat(failed.err().lines())
        .containsExactly(
            "bob: poll failed (CREDENTIALS): password: " + passFile + ": no such file; " + remedy);
    assertThat(delivered("alice")).as("the other account was polled").isEqualTo(1);
    assertThat(delivered("bob")).isZero();
    List<String> warnings =
        logged().stream()
            .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertThat(warnings)
        .as("one line, and no login-refused rest or notice")
        .containsExactly(
            "bob: poll failed (CREDENTIALS): password: " + passFile + ": no such file; " + remedy);

    Files.writeString(
        Files.createFile(
            passFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        "pw-bob\n");
    Run fixed = popfetch("poll", "--config", file.toString(), "bob");
    assertThat(fixed.status()).as("no reload needed: " + fixed.err()).isZero();
    assertThat(delivered("bob")).isEqualTo(1);
  }
}
