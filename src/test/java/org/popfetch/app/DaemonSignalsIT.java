package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/** {@code popfetch run} in a JVM of its own, steered by real signals. */
class DaemonSignalsIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("sig", "pw-sig", "late", "pw-late"),
            TestPki.create("signals").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private String account(String user) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: none
        user: %1$s
        password: pw-%1$s
        cron: "*/2 * * * * ?"
        deliver: { maildir: %3$s }
    """
        .formatted(user, dovecot.pop3Port(), dir.resolve("Maildir-" + user));
  }

  private static long count(Path maildir) throws Exception {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return 0;
    }
    try (var s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  @Test
  void sighupAddsAnAccountAndSigtermStopsPromptlyWithoutLoss() throws Exception {
    int total = 2000;
    Set<String> all = new HashSet<>();
    for (int i = 0; i < total; i++) {
      all.add("sig-" + i);
      dovecot.deliver("sig", Mail.message("sig-" + i, 50).getBytes(ISO_8859_1));
    }
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    String head = "state: { url: \"jdbc:sqlite:" + dir.resolve("state.db") + "\" }\naccounts:\n";
    Files.writeString(config, head + account("late"));
    dovecot.deliver("late", Mail.message("late-1", 5).getBytes(ISO_8859_1));

    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--config",
                config.toString()));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("run.log").toFile())
            .start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(dir.resolve("Maildir-late")) == 1);

      // SIGHUP with an added account: its job starts.
      Files.writeString(config, head + account("late") + account("sig"));
      assertThat(new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start().waitFor())
          .isZero();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> count(dir.resolve("Maildir-sig")) > 0);

      // SIGTERM in the middle of the large poll: what came whole is delivered, the message on
      // the wire (if any) is abandoned and stays on the server.
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS))
          .as(Files.readString(dir.resolve("run.log")))
          .isTrue();
      assertThat(Files.readString(dir.resolve("run.log"))).contains("popfetch stopped");
    } finally {
      p.destroyForcibly();
    }
    // The next start picks up where it left off; every message arrives, none is lost.
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    cli.execute("poll", "--config", config.toString());
    List<String> delivered = Mail.idsIn(dir.resolve("Maildir-sig"));
    assertThat(new HashSet<>(delivered)).isEqualTo(all);
    assertThat(delivered).as("no duplicates either: the stop was clean").hasSize(total);
    assertThat(dovecot.messageCount("sig")).isZero();
  }
}
