package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.config.ConfigLoaderTest.FILE;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values that read well but would crash the service or go wrong on the wire later: each is refused
 * when the file is loaded, as "FILE:LINE: KEY: problem".
 */
class HostileConfigTest {
  @TempDir Path dir;

  @Test
  void aCronThatIsNotACronExpression() {
    assertThatThrownBy(
            () -> parse(MINIMAL.replace("user: alice", "user: alice\n    cron: \"bogus cron\"")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(FILE + ":5: accounts[0].cron: not a Quartz cron expression (")
        .hasMessageContaining("\"0 */5 * * * ?\"");
  }

  @Test
  void aCronThatNeverFires() {
    assertError(
        MINIMAL.replace("user: alice", "user: alice\n    cron: \"0 0 0 30 2 ?\""),
        "5: accounts[0].cron: \"0 0 0 30 2 ?\" never fires");
  }

  @Test
  void aCronInTheDefaultsIsCheckedToo() {
    assertError(
        "defaults: { cron: \"0 0 0 1 1 ? 2001\" }\n" + MINIMAL,
        "1: defaults.cron: \"0 0 0 1 1 ? 2001\" never fires");
  }

  @Test
  void anIntervalTooLargeToSchedule() {
    assertError(
        MINIMAL.replace("user: alice", "user: alice\n    interval: 99999999999999d"),
        "5: accounts[0].interval: duration too large: \"99999999999999d\" (at most 36500d)");
  }

  @Test
  void aQueueLifetimeTooLargeToAddToADate() {
    assertError(
        "queue: { lifetime: 999999999999999999d }\n" + MINIMAL,
        "1: queue.lifetime: duration too large: \"999999999999999999d\" (at most 36500d)");
  }

  @Test
  void aMetricsPortOutOfRange() {
    assertError(
        "metrics: { listen: \"127.0.0.1:99999\" }\n" + MINIMAL,
        "1: metrics.listen: expected host:port with a port 1..65535, got \"127.0.0.1:99999\"");
  }

  @Test
  void aPlaceholderGluedToOtherText() {
    assertError(
        MINIMAL.replace(
            "{ maildir: /home/alice/Maildir }",
            "{ pipe: [/usr/bin/procmail, -d, \"x%{recipient}\"] }"),
        "6: accounts[0].deliver.pipe[2]: a placeholder must be a whole argument (%{recipient},"
            + " %{sender} or %{account}), since a value pasted into other text could change its"
            + " meaning; got \"x%{recipient}\"");
  }

  @Test
  void anUnknownPlaceholder() {
    assertError(
        MINIMAL.replace(
            "{ maildir: /home/alice/Maildir }", "{ pipe: [/usr/bin/procmail, \"%{user}\"] }"),
        "6: accounts[0].deliver.pipe[1]: a placeholder must be a whole argument (%{recipient},"
            + " %{sender} or %{account}), since a value pasted into other text could change its"
            + " meaning; got \"%{user}\"");
  }

  @Test
  void aPlaceholderInTheProgramName() {
    assertThatThrownBy(
            () ->
                parse(
                    MINIMAL.replace(
                        "{ maildir: /home/alice/Maildir }", "{ pipe: [\"/usr/bin/%{account}\"] }")))
        .hasMessageStartingWith(
            FILE + ":6: accounts[0].deliver.pipe[0]: a placeholder must be a whole argument");
  }

  @Test
  void aPlaceholderInARuleTarget() {
    String yaml =
        MINIMAL
            + """
                rules:
                  - match: { header: List-Id, is: x }
                    deliver: { pipe: [/usr/bin/procmail, "--to=%{recipient}"] }
            """;
    assertThatThrownBy(() -> parse(yaml))
        .hasMessageStartingWith(
            FILE
                + ":9: accounts[0].rules[0].deliver.pipe[1]: a placeholder must be a whole"
                + " argument");
  }

  @Test
  void aWholePlaceholderIsFine() throws Exception {
    PopfetchConfig c =
        parse(
            MINIMAL.replace(
                "{ maildir: /home/alice/Maildir }",
                "{ pipe: [/usr/bin/procmail, -d, \"%{recipient}\"] }"));
    assertThat(((DeliverConfig.Pipe) c.accounts().get(0).deliver()).argv())
        .containsExactly("/usr/bin/procmail", "-d", "%{recipient}");
  }

  @Test
  void aUserNameWithASpace() {
    assertError(
        MINIMAL.replace("user: alice", "user: \"john doe\""),
        "4: accounts[0].user: a login name cannot hold spaces or control characters (they would"
            + " split or end the POP3 command), got \"john doe\"");
  }

  @Test
  void aUserNameWithALineBreak() {
    assertError(
        MINIMAL.replace("user: alice", "user: \"alice\\r\\nDELE 1\""),
        "4: accounts[0].user: a login name cannot hold spaces or control characters (they would"
            + " split or end the POP3 command), got \"alice\\r"
            + "\\n"
            + "DELE 1\"");
  }

  @Test
  void aLiteralPasswordWithALineBreakIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> parse(MINIMAL.replace("{ env: WORK_PASS }", "\"s3c\\r\\nDELE 1\"")))
        .hasMessage(
            FILE
                + ":5: accounts[0].password: holds a line break or NUL, which would end the command"
                + " it is sent in")
        .message()
        .doesNotContain("s3c");
  }

  @Test
  void aMaildirThatIsARegularFile() throws Exception {
    Path maildir = Files.createFile(dir.resolve("Maildir"));
    Path file = write(MINIMAL.replace("/home/alice/Maildir", maildir.toString()));
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .hasMessage(
            file + ":6: accounts[0].deliver.maildir: " + maildir + " is a file, not a directory");
  }

  @Test
  void aMaildirInsideARegularFile() throws Exception {
    Path plain = Files.createFile(dir.resolve("plain"));
    Path file = write(MINIMAL.replace("/home/alice/Maildir", plain.resolve("Maildir").toString()));
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .hasMessage(
            file + ":6: accounts[0].deliver.maildir: " + plain + " is a file, not a directory");
  }

  @Test
  void aMaildirStillToBeCreatedIsFine() throws Exception {
    Path file =
        write(MINIMAL.replace("/home/alice/Maildir", dir.resolve("new/Maildir").toString()));
    assertThat(ConfigLoader.load(file).accounts()).hasSize(1);
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.writeString(file, yaml);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
