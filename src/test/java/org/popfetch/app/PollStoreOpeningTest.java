package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 * reached before the store has opened; a store that cannot be opened costs a server whose poll had
 * begun a login and a QUIT, nothing else, and the servers of polls not yet begun nothing at all,
 * and is said in one line, in its own words and with what to check, with status 23; a store that
 * hangs is given up at the account's timeout; a poll whose store opens fetches and deletes each
 * message exactly once.
 *
 * <p>The sessions are opened ahead, each on a thread of its own, for the accounts whose polls start
 * at once: the connection and the login go out while the store opens and the destination is set up.
 * A poll uses the session opened for it; one no poll takes ends with QUIT and nothing else when its
 * account's poll ends; one that cannot be opened fails the poll as it always did.
 */
class PollStoreOpeningTest {
  @TempDir Path dir;
  ListAppender<ILoggingEvent> events;
  Logger root;

  /** What the client sent, command by command. */
  final List<String> commands = new CopyOnWriteArrayList<>();

  /** Whether the scripted server refuses PASS. */
  boolean refuseLogin;

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
            c.send(refuseLogin ? "-ERR [AUTH] invalid credentials" : "+OK");
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
    return config(port, dir.resolve("Maildir"));
  }

  private Path config(int port, Path maildir) throws IOException {
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
            .formatted(dir.resolve("state/state.db"), port, maildir));
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

  /** The same with this {@code poll} command, answered as Main answers. */
  private static Run poll(PollCommand command, Path config) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli =
        Main.handled(
            new CommandLine(
                new Main(),
                new CommandLine.IFactory() {
                  @Override
                  public <K> K create(Class<K> cls) throws Exception {
                    return cls == PollCommand.class
                        ? cls.cast(command)
                        : CommandLine.defaultFactory().create(cls);
                  }
                }));
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

  /**
   * Opens the store with {@code then} once the poll has logged in, so that the poll meets the
   * outcome at its first read of the store, after its login. Without this wait a store that fails
   * at once may fail before the poll connects, and the poll, rightly, never connects.
   */
  private static PollCommand.StateOpener afterLogin(
      CountDownLatch loggedIn, PollCommand.StateOpener then) {
    return file -> {
      try {
        if (!loggedIn.await(30, TimeUnit.SECONDS)) {
          throw new IOException("the poll did not log in while the store was being opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      return then.open(file);
    };
  }

  @Test
  void theServerIsReachedBeforeTheStoreHasOpened() throws Exception {
    CountDownLatch loggedIn = new CountDownLatch(1);
    PollCommand command = new PollCommand();
    // Opened only once the poll has logged in: a poll that waited for the store first would
    // wait in vain.
    command.opener = afterLogin(loggedIn, SqliteSeenUidStore::open);
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
    CountDownLatch loggedIn = new CountDownLatch(1);
    PollCommand command = new PollCommand();
    command.opener = afterLogin(loggedIn, SqliteSeenUidStore::open);
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(loggedIn::countDown))) {
      run = poll(command, config(server.port()));
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
      CountDownLatch loggedIn = new CountDownLatch(1);
      PollCommand command = new PollCommand();
      command.opener = afterLogin(loggedIn, SqliteSeenUidStore::open);
      Run run;
      try (ScriptedServer server = new ScriptedServer(oneMessage(loggedIn::countDown))) {
        run = poll(command, config(server.port()));
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
        .startsWith("popfetch: cannot open the state store " + dir.resolve("state/state.db"))
        .contains(reason)
        .endsWith("; check state.url and the disk it is on")
        .doesNotContain("internal error");
    assertThat(run.out()).isEmpty();
    assertThat(warnings()).isEmpty();
    assertThat(commands).endsWith("QUIT").noneMatch(c -> c.startsWith("RETR"));
    assertThat(commands).noneMatch(c -> c.startsWith("DELE"));
    assertThat(delivered()).isZero();
  }

  @Test
  void anAccountNotYetPolledWhenTheStoreFailedIsNotLoggedInto() throws Exception {
    CountDownLatch loggedIn = new CountDownLatch(1);
    PollCommand command = new PollCommand();
    command.opener =
        afterLogin(
            loggedIn,
            file -> {
              throw new IOException("cannot open the state store: no space left on device");
            });
    Run run;
    boolean secondConnected;
    try (ScriptedServer first = new ScriptedServer(oneMessage(loggedIn::countDown));
        // Never answered: a connection to it would wait in its backlog, seen below.
        ServerSocket other = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Path file = config(first.port());
      Files.writeString(
          file,
          Files.readString(file)
              + """
                - name: dave
                  server: 127.0.0.1
                  port: %d
                  tls: none
                  user: dave
                  password: an0ther-pw
                  deliver: { maildir: %s }
              parallel: 1
              """
                  .formatted(other.getLocalPort(), dir.resolve("Maildir")));
      run = poll(command, file);
      other.setSoTimeout(1);
      try (Socket s = other.accept()) {
        secondConnected = true;
      } catch (SocketTimeoutException e) {
        secondConnected = false;
      }
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.INTERNAL.code);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .contains("no space left on device");
    assertThat(commands).endsWith("QUIT").noneMatch(c -> c.startsWith("RETR"));
    assertThat(secondConnected).as("the account after the failure connected").isFalse();
    assertThat(warnings()).isEmpty();
    assertThat(delivered()).isZero();
  }

  @Test
  void aStoreThatHangsIsGivenUpAtTheAccountsTimeoutAndTheSessionQuits() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    PollCommand command = new PollCommand();
    command.opener =
        file -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          throw new IOException("interrupted");
        };
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
      Path file = config(server.port());
      Files.writeString(file, Files.readString(file) + "    timeout: 1s\n");
      run = poll(command, file);
    } finally {
      never.countDown();
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.INTERNAL.code);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .contains("the state store was still being opened after 1 s");
    assertThat(commands).contains("PASS s3cret-pw").endsWith("QUIT");
    assertThat(commands).noneMatch(c -> c.startsWith("RETR") || c.startsWith("DELE"));
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

  @Test
  void aPollUsesTheSessionOpenedForItAndLogsInOnce() throws Exception {
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
      run = poll(new PollCommand(), config(server.port(), dir.resolve("Maildir")));
    }
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(delivered()).isEqualTo(1);
    assertThat(commands).containsSubsequence("PASS s3cret-pw", "RETR 1", "DELE 1", "QUIT");
    assertThat(commands.stream().filter(c -> c.startsWith("PASS"))).hasSize(1);
  }

  @Test
  void aSessionNoPollTakesEndsWithQuitAndNothingElse() throws Exception {
    // A Maildir that cannot be set up when the poll begins (its new/ is a file): the poll ends
    // before it would take its session.
    Path maildir = Files.createDirectories(dir.resolve("Maildir"));
    Files.createDirectories(maildir.resolve("cur"));
    Files.createDirectories(maildir.resolve("tmp"));
    Path notADirectory = Files.writeString(maildir.resolve("new"), "a file");
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
      run = poll(new PollCommand(), config(server.port(), maildir));
      server.awaitScript();
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.DELIVERY.code);
    assertThat(commands).containsExactly("CAPA", "USER carol", "PASS s3cret-pw", "CAPA", "QUIT");
    assertThat(Files.readString(notADirectory)).isEqualTo("a file");
  }

  /**
   * Serves every connection made to it, each an empty maildrop, and counts the sessions open at
   * once: from the connection to QUIT, or to the end of a connection closed without it.
   */
  private static final class EmptyMaildrops implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final List<String> users = new CopyOnWriteArrayList<>();

    EmptyMaildrops() throws IOException {
      Thread acceptor = new Thread(this::accept, "empty-maildrops");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void accept() {
      while (true) {
        try {
          Socket s = socket.accept();
          Thread session = new Thread(() -> serve(s));
          session.setDaemon(true);
          session.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void serve(Socket s) {
      mostAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max);
      boolean ended = false;
      try (s;
          BufferedReader in =
              new BufferedReader(new InputStreamReader(s.getInputStream(), ISO_8859_1));
          Writer out = new OutputStreamWriter(s.getOutputStream(), ISO_8859_1)) {
        out.write("+OK ready\r\n");
        out.flush();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String command = line.split(" ")[0];
          if (command.equals("USER")) {
            users.add(line.substring(5));
          }
          if (command.equals("QUIT")) {
            ended = true;
            open.decrementAndGet();
          }
          out.write(
              switch (command) {
                case "CAPA" -> "+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.\r\n";
                case "STAT" -> "+OK 0 0\r\n";
                case "LIST", "UIDL" -> "+OK\r\n.\r\n";
                case "QUIT" -> "+OK bye\r\n";
                default -> "+OK\r\n";
              });
          out.flush();
          if (ended) {
            return;
          }
        }
      } catch (IOException e) {
        // the client went away
      } finally {
        if (!ended) {
          open.decrementAndGet();
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void aSessionNoPollTakesEndsBeforeTheNextPollAtItsServerBegins() throws Exception {
    // amy's Maildir cannot be set up; bob's poll comes after hers, one at a time at the server.
    Path amys = Files.createDirectories(dir.resolve("amy"));
    Files.createDirectories(amys.resolve("cur"));
    Files.createDirectories(amys.resolve("tmp"));
    Files.writeString(amys.resolve("new"), "a file");
    Run run;
    try (EmptyMaildrops server = new EmptyMaildrops()) {
      Path file = config(server.socket.getLocalPort(), amys);
      Files.writeString(
          file,
          Files.readString(file).replace("user: carol", "user: amy")
              + """
                - name: bob
                  server: 127.0.0.1
                  port: %d
                  tls: none
                  user: bob
                  password: an0ther-pw
                  deliver: { maildir: %s }
              parallel: 1
              per-server: 1
              """
                  .formatted(server.socket.getLocalPort(), dir.resolve("bob")));
      run = poll(new PollCommand(), file);
      assertThat(server.users).containsExactly("amy", "bob");
      assertThat(server.mostAtOnce).as("sessions open at once at the server").hasValue(1);
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.DELIVERY.code);
  }

  @Test
  void aRefusedLoginFailsThePollAsItAlwaysDid() throws Exception {
    refuseLogin = true;
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(() -> {}))) {
      run = poll(new PollCommand(), config(server.port(), dir.resolve("Maildir")));
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(commands).contains("PASS s3cret-pw").doesNotContain("STAT", "LIST", "UIDL");
    assertThat(commands).noneMatch(c -> c.startsWith("RETR") || c.startsWith("DELE"));
    assertThat(delivered()).isZero();
  }

  @Test
  void aServerThatCannotBeReachedFailsThePollAsItAlwaysDid() throws Exception {
    int closed;
    try (ServerSocket nobody = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = nobody.getLocalPort();
    }
    Run run = poll(new PollCommand(), config(closed, dir.resolve("Maildir")));
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SOCKET.code);
    assertThat(delivered()).isZero();
  }
}
