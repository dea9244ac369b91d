package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.schedule.AccountPolling;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.store.StateLock;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Configurations that read well but used to pass {@code config check} and then crash, hang or exit
 * 1 ("no new mail", which a systemd timer counts as success): each now gets one line, no stack
 * trace, and a documented status.
 */
class HostileConfigCommandLineTest {
  @TempDir Path dir;

  private record Run(int status, String output) {
    /** One line of our own, no Java stack trace. */
    Run assertOneCleanLine() {
      assertThat(output.strip().lines()).as(output).hasSize(1);
      assertThat(output)
          .startsWith("popfetch: ")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
      return this;
    }
  }

  private static Run popfetch(String... args) {
    return popfetch(Main.commandLine(), args);
  }

  private static Run popfetch(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(Main.execute(cli, args), out.toString());
  }

  /** A working configuration (nothing listens on port 1), with {@code edit} applied. */
  private Path config(String top, String from, String to) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    String yaml =
        """
        state: { url: "jdbc:sqlite:%s" }
        %s
        accounts:
          - name: carol
            server: 127.0.0.1
            port: 1
            tls: none
            user: carol
            password: s3cret-pw
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state/state.db"), top, dir.resolve("Maildir"));
    Files.writeString(file, yaml.replace(from, to));
    return file;
  }

  static Stream<Arguments> refusedByConfigCheck() {
    return Stream.of(
        Arguments.of(
            "cron",
            "",
            "tls: none",
            "tls: none\n    cron: \"bogus cron\"",
            ":8: accounts[0].cron: not a Quartz cron expression"),
        Arguments.of(
            "cron in defaults",
            "defaults: { cron: \"not a cron\" }",
            "",
            "",
            ":2: defaults.cron: not a Quartz cron expression"),
        Arguments.of(
            "cron never",
            "",
            "tls: none",
            "tls: none\n    cron: \"0 0 0 30 2 ?\"",
            ":8: accounts[0].cron: \"0 0 0 30 2 ?\" never fires"),
        Arguments.of(
            "interval",
            "",
            "tls: none",
            "tls: none\n    interval: 99999999999999d",
            ":8: accounts[0].interval: duration too large"),
        Arguments.of(
            "metrics port",
            "metrics: { listen: \"127.0.0.1:99999\" }",
            "",
            "",
            ":2: metrics.listen: expected host:port with a port 1..65535"),
        Arguments.of(
            "placeholder",
            "",
            "{ maildir: MAILDIR }",
            "{ pipe: [/usr/bin/procmail, \"x%{recipient}\"] }",
            ":10: accounts[0].deliver.pipe[1]: a placeholder must be a whole argument"),
        Arguments.of(
            "user",
            "",
            "user: carol",
            "user: \"john doe\"",
            ":8: accounts[0].user: a login name cannot hold spaces"),
        Arguments.of(
            "password",
            "",
            "password: s3cret-pw",
            "password: \"s3cret\\npw\"",
            ":9: accounts[0].password: holds a line break"),
        Arguments.of(
            "maildir",
            "",
            "MAILDIR",
            "CONFIG",
            ":10: accounts[0].deliver.maildir: CONFIG is a file, not a directory"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedByConfigCheck")
  void configCheckRefusesWithFileLineAndStatus5(
      String what, String top, String from, String to, String expected) throws Exception {
    Path maildir = dir.resolve("Maildir");
    Path file = config(top, "MAILDIR", "MAILDIR");
    String yaml =
        Files.readString(file)
            .replace(
                from.replace("MAILDIR", maildir.toString()),
                to.replace("CONFIG", file.toString()).replace("MAILDIR", maildir.toString()));
    Files.writeString(file, yaml);
    for (String command : new String[] {"config check", "poll", "run"}) {
      Run run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  popfetch(
                      Stream.concat(
                              Stream.of(command.split(" ")), Stream.of("--config", file.toString()))
                          .toArray(String[]::new)));
      assertThat(run.status()).as(command + ": " + run.output()).isEqualTo(5);
      run.assertOneCleanLine();
      assertThat(run.output())
          .as(command)
          .contains(file + expected.replace("CONFIG", file.toString()))
          .doesNotContain("s3cret");
    }
  }

  @Test
  void anEmptyConfigurationFileNameIsSaidSo() {
    for (String[] words :
        new String[][] {
          {"poll", "--config="},
          {"poll", "-c", ""},
          {"config", "check", "--config="},
          {"run", "-c", ""},
          {"status", "--config="},
          {"reload", "-c", ""}
        }) {
      Run run = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> popfetch(words));
      String line = String.join(" ", words) + ": " + run.output();
      assertThat(run.status()).as(line).isEqualTo(5);
      run.assertOneCleanLine();
      assertThat(run.output())
          .as(line)
          .contains("no configuration file named: the file name is empty");
    }
  }

  @Test
  void aPasswordFileWithALineBreakIsRefusedWithoutShowingIt() throws Exception {
    Path secret = dir.resolve("pass");
    Files.writeString(secret, "s3cret\rDELE 1\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Path file = config("", "password: s3cret-pw", "password: { file: " + secret + " }");
    for (String command : new String[] {"config check", "poll"}) {
      Run run =
          popfetch(
              Stream.concat(Stream.of(command.split(" ")), Stream.of("--config", file.toString()))
                  .toArray(String[]::new));
      assertThat(run.status()).as(run.output()).isEqualTo(5);
      run.assertOneCleanLine();
      assertThat(run.output())
          .contains("account carol: password: " + secret + ": holds a line break or NUL")
          .doesNotContain("s3cret");
    }
  }

  @Test
  void aMetricsPortInUseEndsTheServiceWithOneLineAndReleasesTheState() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = config("metrics: { listen: \"127.0.0.1:" + taken.getLocalPort() + "\" }", "", "");
      Run run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> popfetch("run", "--no-watch", "--config", file.toString()));
      assertThat(run.status()).as(run.output()).isEqualTo(5);
      run.assertOneCleanLine();
      assertThat(run.output())
          .contains("metrics.listen: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ");
      Optional<StateLock> lock =
          StateLock.tryAcquire("jdbc:sqlite:" + dir.resolve("state/state.db"));
      assertThat(lock).as("the state lock was released").isPresent();
      lock.get().close();
    }
  }

  @Test
  void aStateDirectoryThatCannotBeMadeIsNamed() throws Exception {
    Path plain = Files.createFile(dir.resolve("plain"));
    Path file =
        config(
            "",
            dir.resolve("state/state.db").toString(),
            plain.resolve("state/state.db").toString());
    for (String command : new String[] {"poll", "check", "run"}) {
      Run run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30), () -> popfetch(command, "--config", file.toString()));
      assertThat(run.status()).as(command + ": " + run.output()).isEqualTo(23);
      run.assertOneCleanLine();
      assertThat(run.output())
          .as(command)
          .contains("cannot use the state directory " + plain.resolve("state") + ": ")
          .contains("state.url");
    }
  }

  @Test
  void aMaildirThatBecameAFileAfterTheCheckIsReportedNotSilent() throws Exception {
    Path maildir = Files.createFile(dir.resolve("Maildir"));
    PopfetchConfig config =
        ConfigLoader.parse(
            dir.resolve("popfetch.yaml"), Files.readString(config("", "", "")), false);
    AccountRun.Target target =
        new AccountRun.Target(
            config.accounts().get(0), AccountWiring.account(config.accounts().get(0)));
    Logger log = (Logger) LoggerFactory.getLogger(AccountPolling.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    PollResult result;
    try (SqliteSeenUidStore store =
        SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"))) {
      result =
          AccountPolling.once(
                  "carol", PollWiring.poll(target, config, store, null, false), FetchObserver.NONE)
              .poll(() -> false);
    } finally {
      log.detachAppender(events);
    }
    assertThat(result.failure()).map(PollFailure::kind).contains(PollFailure.Kind.DELIVERY);
    assertThat(events.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(
            m -> m.startsWith("carol: poll failed (DELIVERY): cannot create Maildir " + maildir));
  }

  @Test
  void aScheduledTaskThatRunsOutOfMemoryEndsTheServiceWithTheInternalStatus() {
    List<Integer> halted = new ArrayList<>();
    Logger log = (Logger) LoggerFactory.getLogger(PopfetchDaemon.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try {
      PopfetchDaemon.guarded(
              "carol",
              () -> {
                throw new OutOfMemoryError("Java heap space");
              },
              halted::add)
          .run();
      assertThat(halted).containsExactly(23);
      PopfetchDaemon.guarded(
              "carol",
              () -> {
                throw new IllegalArgumentException("unexpected");
              },
              halted::add)
          .run();
      assertThat(halted).as("an exception is logged, the service goes on").containsExactly(23);
    } finally {
      log.detachAppender(events);
    }
    assertThat(events.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "carol: out of memory (Java heap space); stopping with status 23",
            "carol: internal error: java.lang.IllegalArgumentException: unexpected");
    assertThat(events.list).allMatch(e -> e.getThrowableProxy() == null);
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    final Throwable thrown;

    Boom(Throwable thrown) {
      this.thrown = thrown;
    }

    @Override
    public Integer call() throws Exception {
      if (thrown instanceof Error e) {
        throw e;
      }
      throw (Exception) thrown;
    }
  }

  @Test
  void anUnexpectedExceptionIsTheInternalStatusInOneLine() {
    CommandLine cli =
        Main.commandLine().addSubcommand(new Boom(new IllegalStateException("no such thing")));
    Run run = popfetch(cli, "boom");
    assertThat(run.status()).as(run.output()).isEqualTo(23);
    assertThat(run.output().strip().lines()).as(run.output()).hasSize(1);
    assertThat(run.output())
        .startsWith("popfetch: internal error: ")
        .contains("no such thing")
        .doesNotContain("\tat ");
  }

  @Test
  void runningOutOfMemoryIsTheInternalStatusInOneLine() {
    CommandLine cli =
        Main.commandLine().addSubcommand(new Boom(new OutOfMemoryError("Java heap space")));
    Run run = popfetch(cli, "boom");
    assertThat(run.status()).as(run.output()).isEqualTo(23);
    assertThat(run.output().strip().lines()).as(run.output()).hasSize(1);
    assertThat(run.output())
        .startsWith("popfetch: out of memory (Java heap space)")
        .doesNotContain("\tat ");
  }
}
