package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.ScriptedServer;

/**
 * What the service ({@code popfetch run}) loads, seen in a JVM of its own: every class it loads
 * stays in its memory for as long as it runs (as metadata read from the jar, or as pages of its
 * class-data archive), so it loads nothing for the start alone that it can do without.
 */
class ServiceStartTest {
  @TempDir Path dir;

  @Test
  void theServiceLoadsNeitherPicocliNorJavaBeansAndPollsWhenAsked() throws Exception {
    Path log = dir.resolve("classes.log");
    Path config = dir.resolve("popfetch.yaml");
    Path maildir = dir.resolve("Maildir");
    try (ScriptedServer server = new ScriptedServer(OneShotStartTest.mailbox(false))) {
      Files.createFile(
          config,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          config,
          """
          state: { url: "jdbc:sqlite:%s" }
          accounts:
            - name: carol
              server: 127.0.0.1
              port: %d
              tls: none
              user: carol
              password: s3cret-pw
              keep: true
              cron: "0 0 0 1 1 ? 2099"
              deliver: { maildir: %s }
          """
              .formatted(dir.resolve("state/seen.db"), server.port(), maildir));
      // The account's schedule never comes: its one poll is the one asked for below, so that the
      // server's one session is that poll's.
      ProcessBuilder service =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xlog:class+load=info:file=" + log + ":none",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "run",
                  "--no-watch",
                  "--config",
                  config.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("run.log").toFile());
      service.environment().put("HOME", dir.toString());
      Process p = service.start();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> Files.readString(dir.resolve("run.log")).contains("popfetch running"));
        // Asked over the control socket, as `popfetch poll` asks a running service.
        StringWriter out = new StringWriter();
        PollCommand poll = CommandWords.poll("poll", "-q", "--config", config.toString());
        poll.out = new PrintWriter(out);
        poll.err = new PrintWriter(out);
        assertThat(Main.runPoll(poll)).as(out.toString()).isEqualTo(ExitStatus.MAIL.code);
        p.destroy();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
    }
    String said = Files.readString(dir.resolve("run.log"));
    assertThat(said).contains("popfetch stopped").doesNotContain("Exception");
    try (var files = Files.list(maildir.resolve("new"))) {
      assertThat(files.count()).as("the poll the service was asked for delivered").isEqualTo(1);
    }
    // "java.lang.Object source: shared objects file"
    List<String> lines = Files.readAllLines(log);
    Set<String> loaded =
        lines.stream().map(line -> line.split(" ", 2)[0]).collect(Collectors.toSet());
    assertThat(loaded).contains(CommandWords.class.getName(), RunCommand.class.getName());
    assertThat(loaded)
        .as("picocli's model and parser, which would stay in the service's memory")
        .doesNotContain(
            "picocli.CommandLine",
            "picocli.CommandLine$Interpreter",
            "picocli.CommandLine$Model$CommandSpec");
    assertThat(loaded)
        .as("Quartz's scheduler set up from properties, through java.beans")
        .doesNotContain(
            "org.quartz.impl.StdSchedulerFactory",
            "java.beans.Introspector",
            "java.beans.PropertyDescriptor",
            "com.sun.beans.introspect.ClassInfo");
    // Those left are the handler interfaces that checking Main's own bytecode loads (some 170
    // picocli classes when it parsed run's words).
    assertThat(loaded.stream().filter(name -> name.startsWith("picocli.")))
        .as("picocli's classes loaded")
        .hasSizeLessThanOrEqualTo(2);
  }
}
