package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.Command;
import org.popfetch.testing.ScriptedServer;

/**
 * What a one-shot {@code popfetch poll} loads, seen in a JVM of its own (a class loads once per
 * JVM, so the test's own JVM, which has loaded everything, cannot show it): every class loaded is a
 * class read and checked at each start (or mapped from the class-data archive, and set up), so a
 * command loads what it uses and nothing of the libraries and JDK services it does not.
 */
class OneShotStartTest {
  @TempDir Path dir;

  /** What the poll of {@link #classesLoadedByPoll} printed on standard error. */
  private String pollErr;

  /** The one message of {@link #mailbox} when it is not empty. */
  private static final String[] MESSAGE = {
    "From: Alice <alice@example.org>",
    "Subject: one",
    "Date: Tue, 1 Dec 2026 10:00:00 +0100",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "body"
  };

  /**
   * A session on a mailbox that is empty or holds {@link #MESSAGE}, answered whatever order the
   * client asks in.
   */
  static ScriptedServer.Script mailbox(boolean empty) {
    return c -> {
      c.send("+OK ready");
      for (String line = c.readLine(); line != null; line = c.readLine()) {
        String command = line.split(" ", 2)[0];
        switch (command) {
          case "CAPA" -> c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
          case "USER", "PASS", "NOOP", "RSET" -> c.send("+OK");
          case "STAT" -> c.send(empty ? "+OK 0 0" : "+OK 1 120");
          case "LIST" ->
              c.send(empty ? new String[] {"+OK", "."} : new String[] {"+OK", "1 120", "."});
          case "UIDL" ->
              c.send(empty ? new String[] {"+OK", "."} : new String[] {"+OK", "1 uid-1", "."});
          case "RETR" -> {
            c.send("+OK");
            c.send(MESSAGE);
            c.send(".");
          }
          case "QUIT" -> {
            c.send("+OK bye");
            return;
          }
          default -> c.send("-ERR unknown command");
        }
      }
    };
  }

  private Set<String> classesLoadedByPoll() throws Exception {
    return classesLoadedByPoll(mailbox(true), ExitStatus.NO_MAIL);
  }

  private Set<String> classesLoadedByPoll(ScriptedServer.Script mailbox, ExitStatus expected)
      throws Exception {
    Path log = dir.resolve("classes.log");
    try (ScriptedServer server = new ScriptedServer(mailbox)) {
      Path config = config(dir, server.port(), "");
      Command c =
          Command.run(
              javaLoggingClasses(log, "poll", "--config", config.toString()),
              Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C.UTF-8", "HOME", dir.toString()));
      assertThat(c.status()).as(c.err()).isEqualTo(expected.code);
      pollErr = c.err();
    }
    return loadedClasses(log);
  }

  /**
   * Writes {@code dir}/popfetch.yaml (owner-only, as popfetch asks): one keep-mode account, carol,
   * on the scripted server at {@code port}, into {@code dir}/Maildir, with {@code schedule} (an
   * account key and its value, or nothing) added.
   */
  static Path config(Path dir, int port, String schedule) throws IOException {
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
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
            %s
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state/seen.db"), port, schedule, dir.resolve("Maildir")));
    return config;
  }

  /**
   * A command line running popfetch's {@code words} in a JVM that logs each class to {@code log}.
   */
  static List<String> javaLoggingClasses(Path log, String... words) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + log + ":none",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    argv.addAll(List.of(words));
    return argv;
  }

  /** The classes {@code log} names, one a line: "java.lang.Object source: shared objects file". */
  static Set<String> loadedClasses(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .map(line -> line.split(" ", 2)[0])
        .collect(Collectors.toSet());
  }

  @Test
  void aPlaintextPollLoadsNoLibraryOrJdkServiceItDoesNotUse() throws Exception {
    Set<String> loaded = classesLoadedByPoll();

    assertThat(loaded).contains(PollCommand.class.getName(), "org.sqlite.JDBC");
    assertThat(loaded)
        .as("java.util.logging (SnakeYAML's constructor logs through System.Logger)")
        .doesNotContain("java.util.logging.LogManager");
    assertThat(loaded)
        .as("the constructor side of SnakeYAML, Quartz, Micrometer, Mime4j, TLS")
        .noneMatch(
            name ->
                name.startsWith("org.yaml.snakeyaml.constructor.")
                    || name.startsWith("org.yaml.snakeyaml.representer.")
                    || name.startsWith("org.quartz.")
                    || name.startsWith("io.micrometer.")
                    || name.startsWith("org.apache.james.mime4j.")
                    || name.startsWith("sun.security.ssl."));
  }

  @Test
  void aPollThatDeliversReadsNeitherTheZoneRulesNorMime4jsDateFormatter() throws Exception {
    Set<String> loaded = classesLoadedByPoll(mailbox(false), ExitStatus.MAIL);

    assertThat(loaded)
        .as("the message was read and delivered")
        .contains("org.apache.james.mime4j.stream.MimeTokenStream");
    assertThat(loaded)
        .as("MimeUtil's date formatter in the default zone, and the zone rules it reads")
        .doesNotContain(
            "org.apache.james.mime4j.util.MimeUtil", "java.time.zone.TzdbZoneRulesProvider");
  }

  @Test
  void aPollLoadsNoOtherCommand() throws Exception {
    Set<String> loaded = classesLoadedByPoll();

    // Main finds `poll` by its name, not by reading every command's annotations.
    assertThat(loaded)
        .as("the classes of the commands not run")
        .doesNotContain(
            RunCommand.class.getName(),
            DemoCommand.class.getName(),
            QueueCommand.class.getName(),
            DeliverAgentCommand.class.getName());
  }

  @Test
  void aPollReadsNoAnnotationOfItsCommandLine() throws Exception {
    Set<String> loaded = classesLoadedByPoll();

    // CommandWords: the JDK makes a proxy class for each annotation type read, its bytecode
    // generated at every start, and picocli's own set-up and parser cost more than the poll's
    // configuration.
    assertThat(loaded).contains(CommandWords.class.getName());
    assertThat(loaded)
        .as("the JDK's annotation proxies, picocli's parser")
        .doesNotContain(
            "sun.reflect.annotation.AnnotationInvocationHandler",
            "picocli.CommandLine$Interpreter",
            "picocli.CommandLine$Model$CommandSpec")
        .noneMatch(name -> name.startsWith("jdk.proxy"));
  }

  @Test
  void aPollSetsUpItsLogWithoutParsingAPattern() throws Exception {
    Set<String> loaded = classesLoadedByPoll();

    assertThat(loaded).contains(LogLineLayout.class.getName());
    assertThat(loaded)
        .as("logback's pattern layout and parser, java.time's formatter built from a pattern")
        .noneMatch(
            name ->
                name.startsWith("ch.qos.logback.core.pattern.parser.")
                    || name.equals("ch.qos.logback.classic.PatternLayout")
                    || name.equals("ch.qos.logback.core.pattern.PatternLayoutBase"));
  }

  @Test
  void aPollStartsLogbackWithoutItsSearchForConfigurators() throws Exception {
    Set<String> loaded = classesLoadedByPoll();

    // LogProvider, named by Main: no ServiceLoader search, no string concatenation of logback's
    // spinning method-handle classes.
    assertThat(loaded).contains(LogProvider.class.getName());
    assertThat(loaded)
        .as("logback's own start, and its status printer when there is nothing to print")
        .doesNotContain(
            "ch.qos.logback.classic.util.ContextInitializer",
            "ch.qos.logback.classic.util.DefaultJoranConfigurator",
            "ch.qos.logback.core.util.StatusPrinter",
            "ch.qos.logback.core.util.CachingDateFormatter");
    assertThat(pollErr).as("SLF4J's own messages").doesNotContain("SLF4J");
    assertThat(pollErr)
        .as("the poll's summary, laid out by LogConfiguration's layout")
        .containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\S+ - carol: no new mail");
  }

  @Test
  void aPollLinksNoRecordMethodThroughInvokedynamic() throws Exception {
    Set<String> loaded = classesLoadedByPoll();

    // AccountKey's and ListingMark's equals and hashCode are written out for this.
    assertThat(loaded)
        .as("record equals, hashCode and toString linked by ObjectMethods")
        .doesNotContain("java.lang.runtime.ObjectMethods");
  }
}
