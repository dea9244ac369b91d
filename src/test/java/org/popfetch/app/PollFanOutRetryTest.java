package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.ScriptedServer;
import picocli.CommandLine;

/**
 * A message for two users of a multidrop mailbox, one of whom cannot take it the first time (the
 * program it is piped to exits 75, "try again later"): it stays on the server, and the next poll
 * gives it to that user alone, not a second time to the one who has it (each user's program appends
 * what it is given to a file of its own). What each user has is in the state file's delivery
 * ledger, between two processes' polls.
 */
class PollFanOutRetryTest {
  @TempDir Path dir;

  final List<String> commands = new CopyOnWriteArrayList<>();

  private ScriptedServer.Script oneMessageForTwo() {
    return oneMessageForTwo("<two@example.net>");
  }

  /** One message for alice and bob, its unique-id uid-1, with this Message-ID. */
  private ScriptedServer.Script oneMessageForTwo(String messageId) {
    return c -> {
      c.send("+OK ready");
      for (String line = c.readLine(); line != null; line = c.readLine()) {
        commands.add(line);
        switch (line.split(" ")[0]) {
          case "CAPA" -> c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
          case "USER", "PASS", "DELE" -> c.send("+OK");
          case "STAT" -> c.send("+OK 1 120");
          case "LIST" -> c.send("+OK", "1 120", ".");
          case "UIDL" -> c.send("+OK", "1 uid-1", ".");
          case "RETR" ->
              c.send(
                  "+OK",
                  "Message-ID: " + messageId,
                  "To: alice@example.org, bob@example.org",
                  "Subject: for both",
                  "",
                  "body",
                  ".");
          case "QUIT" -> {
            c.send("+OK bye");
            return;
          }
          default -> c.send("-ERR not here");
        }
      }
    };
  }

  private String err = "";

  private int poll(Path config) {
    CommandLine cli = Main.commandLine();
    StringWriter errors = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(errors, true));
    int status = Main.execute(cli, "poll", "--config", config.toString());
    err = errors.toString();
    return status;
  }

  /** bob's program says "try again later" while this file exists, then takes the message. */
  Path busy;

  /** What alice's and bob's programs are given, one after the other. */
  Path alices;

  Path bobs;

  Path file;

  @BeforeEach
  void files() throws IOException {
    busy = Files.writeString(dir.resolve("busy"), "");
    alices = dir.resolve("alice.txt");
    bobs = dir.resolve("bob.txt");
    file = dir.resolve("popfetch.yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  /**
   * The account at {@code port}: its mail to its own Maildir, or, if it fans out, to alice and bob
   * by their programs.
   */
  private void configure(int port, boolean fansOut) throws IOException {
    String account =
        """
        state: { url: "jdbc:sqlite:%1$s/state/state.db" }
        accounts:
          - name: domain
            server: 127.0.0.1
            port: %2$d
            tls: none
            user: drop
            password: pw-drop
            deliver: { maildir: %1$s/postmaster }
        """;
    String fanOut =
        """
            multidrop:
              local-domains: [ example.org ]
              users:
                alice: { pipe: [ /bin/sh, -c, "cat >> %3$s" ], allow-root: true }
                bob: { pipe: [ /bin/sh, -c, "test -e %4$s && exit 75; cat >> %5$s" ], allow-root: true }
        """;
    Files.writeString(
        file, (fansOut ? account + fanOut : account).formatted(dir, port, alices, busy, bobs));
  }

  /** How many copies of the message a user's program wrote to this file. */
  private static long copies(Path file) throws IOException {
    return copies(file, "<two@example.net>");
  }

  private static long copies(Path file, String messageId) throws IOException {
    return Files.readString(file).lines().filter(l -> l.equals("Message-ID: " + messageId)).count();
  }

  private static long count(Path maildir) throws IOException {
    try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
      return files.count();
    }
  }

  @Test
  void aUserWhoCouldNotTakeItGetsItNextTimeAndTheOtherDoesNotGetItTwice() throws Exception {
    int port;
    int firstStatus;
    try (ScriptedServer first = new ScriptedServer(oneMessageForTwo())) {
      port = first.port();
      configure(port, true);
      firstStatus = poll(file);
    }
    assertThat(copies(alices)).as(err).isEqualTo(1);
    assertThat(bobs).doesNotExist();
    assertThat(commands).as("kept on the server for bob").noneMatch(c -> c.startsWith("DELE"));
    assertThat(firstStatus).isEqualTo(ExitStatus.DELIVERY.code);

    Files.delete(busy);
    commands.clear();
    // The same server (its port is part of the account's scope in the state).
    try (ScriptedServer again = new ScriptedServer(port, null, oneMessageForTwo())) {
      assertThat(poll(file)).as(err).isZero();
    }
    assertThat(copies(alices)).as("alice had it already").isEqualTo(1);
    assertThat(copies(bobs)).isEqualTo(1);
    assertThat(commands).contains("RETR 1", "DELE 1");
  }

  @Test
  void aUniqueIdHandedOutAgainReachesEveryUserAfterTheAccountStoppedFanningOut() throws Exception {
    // alice takes the message, bob's program asks to try later; then the account stops fanning
    // out and the message goes whole to the account's Maildir and is deleted; then it fans out
    // again and the server hands uid-1 to another message: what alice had of the first must not
    // keep the second from her.
    int port;
    try (ScriptedServer first = new ScriptedServer(oneMessageForTwo())) {
      port = first.port();
      configure(port, true);
      assertThat(poll(file)).as(err).isEqualTo(ExitStatus.DELIVERY.code);
    }
    assertThat(copies(alices)).isEqualTo(1);

    configure(port, false);
    try (ScriptedServer whole = new ScriptedServer(port, null, oneMessageForTwo())) {
      assertThat(poll(file)).as(err).isZero();
    }
    assertThat(count(dir.resolve("postmaster"))).isEqualTo(1);

    Files.delete(busy);
    configure(port, true);
    try (ScriptedServer reused =
        new ScriptedServer(port, null, oneMessageForTwo("<three@example.net>"))) {
      assertThat(poll(file)).as(err).isZero();
    }
    assertThat(copies(alices, "<three@example.net>")).isEqualTo(1);
    assertThat(copies(bobs, "<three@example.net>")).isEqualTo(1);
  }
}
