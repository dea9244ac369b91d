package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code popfetch poll} opens its state store while the polls connect and log in: the server is
 * reached before the store has opened; a store that cannot be opened costs the server a login and a
 * QUIT, nothing else, and is said in the one line and with the status it always had; a poll whose
 * store opens fetches and deletes each message exactly once.
 */
class PollStoreOpeningTest {
  @TempDir Path dir;
  ListAppender<ILoggingEvent> events;
  Logger root;

  /** What the client sent, command by command. */
  final List<String> commands = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen() {
    root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    events = new ListAppender<>();
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void stopListening() {
    root.detachAppender(events);
  }

  /**
   * A maildrop of one message, answered command by command as it comes; {@code loggedIn} runs when
   * PASS arrives, before its reply.
   */
  private ScriptedServer.Script oneMessage(Runnable loggedIn) {
    return c -> {
      c.send("+OK ready");
      for (String line = c.readLine(); line != null; line = c.readLine()) {
        commands.add(line);
        switch (line.split(" ")[0]) {
          case "CAPA" -> c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
          case "USER" -> c.send("+OK");
          case "PASS" -> {
            loggedIn.run();
            c.send("+OK");
          }
          case "STAT" -> c.send("+OK 1 40");
          case "LIST" -> c.send("+OK", "1 40", ".");
          case "UIDL" -> c.send("+OK", "1 uid-1", ".");
          case "RETR" -> c.send("+OK", "Subject: one", "", "body", ".");
          case "DELE" -> c.send("+OK");
          case "QUIT" -> {
            c.send("+OK bye");
            return;
          }
          default -> c.send("-ERR not here");
        }
      }
    };
  }

  private Path config(int port) throws IOException {
    Path file = dir.resolve("popfetch.yaml");
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
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state/state.db"), port, dir.resolve("Maildir")));
  }

  private record Run(int status, String out, String err) {}

  /** {@code popfetch poll} as a user runs it, unexpected exceptions answered as Main does. */
  private static Run poll(Path config) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(
        Main.execute(cli, "poll", "--config", config.toString()), out.toString(), err.toString());
  }

  /** The same with this {@code poll} command. */
  private static Run poll(PollCommand command, Path config) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli =
        new CommandLine(
            new Main(),
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> cls) throws Exception {
                return cls == PollCommand.class
                    ? cls.cast(command)
                    : CommandLine.defaultFactory().create(cls);
              }
            });
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(
        cli.execute("poll", "--config", config.toString()), out.toString(), err.toString());
  }

  private long delivered() throws IOException {
    Path fresh = dir.resolve("Maildir/new");
    if (!Files.isDirectory(fresh)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(fresh)) {
      return s.count();
    }
  }

  private List<String> warnings() {
    return events.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void theServerIsReachedBeforeTheStoreHasOpened() throws Exception {
    CountDownLatch loggedIn = new CountDownLatch(1);
    PollCommand command = new PollCommand();
    command.opener =
        file -> {
          // Opened only once the poll has logged in: a poll that waited for the store first
          // would wait here in vain.
          try {
            if (!loggedIn.await(30, TimeUnit.SECONDS)) {
              throw new IOException("the poll did not log in while the store was being opened");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
          return SqliteSeenUidStore.open(file);
        };
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(loggedIn::countDown))) {
      run = poll(command, config(server.port()));
    }
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(delivered()).isEqualTo(1);
    assertThat(commands).containsSubsequence("PASS s3cret-pw", "RETR 1", "DELE 1", "QUIT");
    assertThat(commands.stream().filter(c -> c.startsWith("DELE"))).containsExactly("DELE 1");
  }

  @Test
  void aCorruptStoreDeletesNothingAndIsSaidInOneLine() throws Exception {
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/state.db"), "not a database, ".repeat(64));
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
      run = poll(config(server.port()));
    }
    assertUnopenedStoreSaidOnce(run, "[SQLITE_NOTADB]");
  }

  @Test
  void aLockedStoreDeletesNothingAndIsSaidInOneLine() throws Exception {
    Files.createDirectories(dir.resolve("state"));
    try (Connection other =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("state/state.db"));
        Statement s = other.createStatement()) {
      // Another process in the middle of a write holds the file: popfetch may not even read it.
      s.execute("CREATE TABLE t (x)");
      other.setAutoCommit(false);
      s.execute("INSERT INTO t VALUES (1)");
      s.execute("PRAGMA locking_mode=EXCLUSIVE");
      s.execute("INSERT INTO t VALUES (2)");
      Run run;
      try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
        run = poll(config(server.port()));
      }
      assertUnopenedStoreSaidOnce(run, "[SQLITE_BUSY]");
    }
  }

  /**
   * The status and line of a store that cannot be opened, as when it was opened before any poll;
   * the server saw a login and a QUIT, no RETR, no DELE; nothing delivered.
   */
  private void assertUnopenedStoreSaidOnce(Run run, String reason) throws IOException {
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.INTERNAL.code);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("popfetch: internal error: org.sqlite.SQLiteException: " + reason)
        .endsWith("(run with --trace for details, and please report it)");
    assertThat(run.out()).isEmpty();
    assertThat(warnings()).isEmpty();
    assertThat(commands).endsWith("QUIT").noneMatch(c -> c.startsWith("RETR"));
    assertThat(commands).noneMatch(c -> c.startsWith("DELE"));
    assertThat(delivered()).isZero();
  }

  @Test
  void aPollFetchesAndDeletesEachMessageOnce() throws Exception {
    try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
      Run run = poll(config(server.port()));
      assertThat(run.status()).as(run.err()).isZero();
    }
    assertThat(delivered()).isEqualTo(1);
    assertThat(commands.stream().filter(c -> c.startsWith("RETR") || c.startsWith("DELE")))
        .containsExactly("RETR 1", "DELE 1");
    assertThat(commands).endsWith("QUIT");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void keptMailIsFetchedOnceAcrossPolls() throws Exception {
    GreenMail greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    try {
      GreenMailUser carol = greenMail.setUser("carol@example.org", "carol", "s3cret-pw");
      carol.deliver(GreenMailUtil.newMimeMessage("Subject: one\r\n\r\nbody 1\r\n"));
      carol.deliver(GreenMailUtil.newMimeMessage("Subject: two\r\n\r\nbody 2\r\n"));
      Path file = config(greenMail.getPop3().getPort());
      Files.writeString(file, Files.readString(file) + "    keep: true\n");
      Run first = poll(file);
      assertThat(first.status()).as(first.err()).isZero();
      assertThat(delivered()).isEqualTo(2);
      carol.deliver(GreenMailUtil.newMimeMessage("Subject: three\r\n\r\nbody 3\r\n"));
      Run second = poll(file);
      assertThat(second.status()).as(second.err()).isZero();
      assertThat(delivered()).isEqualTo(3);
      Run third = poll(file);
      assertThat(third.status()).as(third.err()).isEqualTo(ExitStatus.NO_MAIL.code);
      assertThat(delivered()).isEqualTo(3);
      assertThat(greenMail.getReceivedMessages()).hasSize(3);
    } finally {
      greenMail.stop();
    }
  }
}
