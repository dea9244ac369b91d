package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.ScriptedServer;
import picocli.CommandLine;

/**
 * {@code popfetch poll} opens each session ahead, on a thread of its own: the connection and the
 * login go out while the store opens and the destination is set up, so that the server's reading of
 * the maildrop overlaps with them. The poll then uses that session as its own, and nothing is
 * retrieved or deleted before the store has opened. A session no poll takes ends with QUIT and
 * nothing else, when its account's poll ends; one that cannot be opened fails the poll as it always
 * did.
 */
class PollSessionAheadTest {
  @TempDir Path dir;

  /** What the client sent, command by command. */
  final List<String> commands = new CopyOnWriteArrayList<>();

  /** A maildrop of one message; PASS is refused if {@code refuseLogin} says so. */
  private ScriptedServer.Script oneMessage(boolean refuseLogin) {
    return c -> {
      c.send("+OK ready");
      for (String line = c.readLine(); line != null; line = c.readLine()) {
        commands.add(line);
        switch (line.split(" ")[0]) {
          case "CAPA" -> c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
          case "USER" -> c.send("+OK");
          case "PASS" -> c.send(refuseLogin ? "-ERR [AUTH] invalid credentials" : "+OK");
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
  void aPollUsesTheSessionOpenedForItAndLogsInOnce() throws Exception {
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(false))) {
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
    try (ScriptedServer server = new ScriptedServer(oneMessage(false))) {
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
    Run run;
    try (ScriptedServer server = new ScriptedServer(oneMessage(true))) {
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
