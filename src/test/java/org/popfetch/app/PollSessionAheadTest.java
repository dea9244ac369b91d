package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;
import picocli.CommandLine;

/**
 * {@code popfetch poll} opens each session ahead, on a thread of its own: connection, login and
 * STAT go out while the store opens and the destination is set up, so that the server's reading of
 * the maildrop overlaps with them. The poll then uses that session as its own: STAT is not asked
 * twice, and nothing is retrieved or deleted before the store has opened. A session no poll takes
 * ends with QUIT and nothing else; one that cannot be opened fails the poll as it always did.
 */
class PollSessionAheadTest {
  @TempDir Path dir;

  /** What the client sent, command by command. */
  final List<String> commands = new CopyOnWriteArrayList<>();

  /** Counted down when STAT arrives, before its answer. */
  final CountDownLatch statAsked = new CountDownLatch(1);

  /** A maildrop of one message; PASS is refused if {@code refuse} says so, STAT if its own does. */
  private ScriptedServer.Script oneMessage(boolean refuseLogin, boolean refuseStat) {
    return c -> {
      c.send("+OK ready");
      for (String line = c.readLine(); line != null; line = c.readLine()) {
        commands.add(line);
        switch (line.split(" ")[0]) {
          case "CAPA" -> c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
          case "USER" -> c.send("+OK");
          case "PASS" -> c.send(refuseLogin ? "-ERR [AUTH] invalid credentials" : "+OK");
          case "STAT" -> {
            statAsked.countDown();
            c.send(refuseStat ? "-ERR not now" : "+OK 1 40");
          }
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

  private Path config(int port, Path maildir) throws IOException {
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
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state/state.db"), port, maildir));
  }

  private record Run(int status, String out, String err) {}

  /** {@code popfetch poll} with this command, answered as Main answers. */
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

  @Test
  void statGoesOutBeforeTheStoreHasOpenedAndIsAskedOnce() throws Exception {
    PollCommand command = new PollCommand();
    // Opened only once the server has been asked STAT: a poll that asked it only after its
    // first read of the store would wait for the store in vain.
    command.opener =
        file -> {
          try {
            if (!statAsked.await(30, TimeUnit.SECONDS)) {
              throw new IOException("STAT was not asked while the store was being opened");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
          return SqliteSeenUidStore.open(file);
        };
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(false, false))) {
      run = poll(command, config(server.port(), dir.resolve("Maildir")));
    }
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(delivered()).isEqualTo(1);
    assertThat(commands).containsSubsequence("PASS s3cret-pw", "STAT", "RETR 1", "DELE 1", "QUIT");
    assertThat(commands.stream().filter(c -> c.equals("STAT"))).hasSize(1);
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
    try (ScriptedServer server = new ScriptedServer(oneMessage(false, false))) {
      run = poll(new PollCommand(), config(server.port(), maildir));
      server.awaitScript();
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.DELIVERY.code);
    assertThat(commands)
        .containsExactly("CAPA", "USER carol", "PASS s3cret-pw", "CAPA", "STAT", "QUIT");
    assertThat(Files.readString(notADirectory)).isEqualTo("a file");
  }

  @Test
  void aRefusedLoginFailsThePollAsItAlwaysDid() throws Exception {
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(true, false))) {
      run = poll(new PollCommand(), config(server.port(), dir.resolve("Maildir")));
    }
    assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.AUTH.code);
    assertThat(commands).contains("PASS s3cret-pw").doesNotContain("STAT");
    assertThat(commands).noneMatch(c -> c.startsWith("RETR") || c.startsWith("DELE"));
    assertThat(delivered()).isZero();
  }

  @Test
  void aRefusedStatIsTheServersAndThePollListsAsWithoutIt() throws Exception {
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(false, true))) {
      run = poll(new PollCommand(), config(server.port(), dir.resolve("Maildir")));
    }
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(delivered()).isEqualTo(1);
    assertThat(commands).containsSubsequence("STAT", "LIST", "UIDL", "RETR 1", "DELE 1", "QUIT");
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
