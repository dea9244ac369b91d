package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import picocli.CommandLine;

/** {@code config check} shows the configuration in the file's own words. */
class ConfigCheckTextTest {
  @TempDir Path dir;

  private record Run(int status, String out) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(Main.execute(cli, args), out.toString());
  }

  private Path file(String yaml) throws Exception {
    Path secret = dir.resolve("bob-pass");
    if (!Files.exists(secret)) {
      Files.createFile(
          secret,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(secret, "bob-pw\n");
    }
    yaml = yaml.replace("BOBPASS", secret.toString());
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, yaml);
  }

  private static final String ACCOUNTS =
      """
      accounts:
        - name: alice
          server: pop.example.com
          user: alice
          password: s3cret-pw
          deliver: { pipe: [/usr/bin/procmail, -d, alice], user: alice }
        - name: bob
          server: pop.example.org
          port: 110
          tls: starttls
          user: bob
          password: { file: BOBPASS }
          cron: "0 */5 * * * ?"
          keep: true
          delete-after: 30d
          max-size: 20MB
          fetch-limit: 500
          deliver: { maildir: /home/bob/Maildir, user: bob }
          rules:
            - match: { header: List-Id, regex: "<([a-z]+)\\\\.lists\\\\.example\\\\.org>" }
              deliver: { maildir: /home/bob/Maildir, folder: "Lists.$1" }
            - match: { recipient: { is: "bob+spam@example.org" } }
              deliver: [ { mbox: /var/mail/bob, user: bob }, { pipe: ["/usr/bin/x", "%{recipient}"], allow-root: true, timeout: 1m } ]
        - name: carol
          server: pop.example.net
          user: carol
          password: { command: [/bin/echo, carol-pw] }
          deliver: { smtp: { host: /run/dovecot/lmtp, lmtp: true, tls: none, to: [carol@example.net] } }
          received: false
          drop-delivered-to: true
          drop-status: true
          line-endings: lf-tolerant
      """;

  @Test
  void destinationsReadAsTheAdminWroteThemNotAsJavaRecords() throws Exception {
    Path file = file("state: { url: \"jdbc:sqlite:" + dir.resolve("s.db") + "\" }\n" + ACCOUNTS);
    Run run = popfetch("config", "check", "--config", file.toString());
    assertThat(run.status()).as(run.out()).isZero();
    assertThat(run.out())
        .startsWith(file + ": OK, 3 account(s)\naccounts:\n  - name: alice\n")
        .contains("    deliver: { pipe: [/usr/bin/procmail, -d, alice], user: alice }\n")
        .contains("    deliver: { maildir: /home/bob/Maildir, user: bob }\n")
        .contains(
            "    deliver: { smtp: { host: /run/dovecot/lmtp, port: 24, tls: none, lmtp: true,"
                + " to: [carol@example.net] } }\n")
        .contains("    cron: \"0 */5 * * * ?\"\n")
        .contains("    interval: 5m\n")
        .contains("    max-size: 20MB\n")
        .contains("    delete-after: 30d\n")
        .contains("    tls: starttls\n")
        .contains("    password: \"****\"\n")
        .contains("    password: { file: " + dir.resolve("bob-pass") + " }\n")
        .contains("    password: { command: [/bin/echo, carol-pw] }\n")
        .contains(
            "    received: false\n    drop-delivered-to: true\n    drop-status: true\n"
                + "    line-endings: lf-tolerant\n")
        .contains(
            "      - match: { header: List-Id, regex: \"<([a-z]+)\\\\.lists\\\\.example\\\\.org>\""
                + " }\n"
                + "        deliver: { maildir: /home/bob/Maildir, folder: Lists.$1 }\n")
        .contains(
            "        deliver: [ { mbox: /var/mail/bob, user: bob }, { pipe: [/usr/bin/x,"
                + " \"%{recipient}\"], timeout: 1m, allow-root: true } ]\n")
        .doesNotContain("s3cret-pw")
        .doesNotContain("Optional")
        .doesNotContain("Pipe[")
        .doesNotContain("Maildir[")
        .doesNotContain("argv=");
  }

  @Test
  void aClusteredConfigurationThatDeliversToThisNodesDiskIsWarnedOf() throws Exception {
    Path file =
        file(
            "state: { url: \"jdbc:postgresql://db.example.org/popfetch\", dir: "
                + dir
                + " }\n"
                + ACCOUNTS);
    Run run = popfetch("config", "check", "--config", file.toString());
    assertThat(run.status()).as(run.out()).isZero();
    assertThat(run.out())
        .contains(
            "popfetch: warning: account alice delivers to the program /usr/bin/procmail on this"
                + " node, but in a cluster any node may poll it")
        .contains("popfetch: warning: account bob delivers to the Maildir /home/bob/Maildir on")
        .contains("account bob delivers to the mbox /var/mail/bob (a rule) on this node")
        .doesNotContain("account carol");
  }

  @Test
  void aSingleNodeConfigurationIsNotWarnedOfLocalDestinations() throws Exception {
    Path file = file("state: { url: \"jdbc:sqlite:" + dir.resolve("s.db") + "\" }\n" + ACCOUNTS);
    assertThat(popfetch("config", "check", "--config", file.toString()).out())
        .doesNotContain("warning");
  }

  @Test
  void whatItPrintsReadsBackAsTheSameConfiguration() throws Exception {
    Path file = file("state: { url: \"jdbc:sqlite:" + dir.resolve("s.db") + "\" }\n" + ACCOUNTS);
    String printed = popfetch("config", "check", "--config", file.toString()).out();
    String accounts = printed.substring(printed.indexOf('\n') + 1);
    Path again = file("state: { url: \"jdbc:sqlite:" + dir.resolve("s.db") + "\" }\n" + accounts);
    PopfetchConfig first =
        ConfigLoader.parse(
            file, ACCOUNTS.replace("BOBPASS", dir.resolve("bob-pass").toString()), false);
    PopfetchConfig second = ConfigLoader.parse(again, accounts, false);
    assertThat(second.accounts()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      List<String> a = ConfigText.account(first.accounts().get(i), "");
      List<String> b = ConfigText.account(second.accounts().get(i), "");
      assertThat(b).isEqualTo(a);
    }
    // Everything but the hidden password is the same configuration, value for value.
    assertThat(second.accounts().subList(1, 3)).isEqualTo(first.accounts().subList(1, 3));
  }

  @Test
  void aMultidropBlockIsShownAndReadsBackAsTheSameConfiguration() throws Exception {
    String accounts =
        """
        accounts:
          - name: drop
            server: pop.example.com
            user: maildrop
            password: pw
            deliver: { maildir: %1$s/postmaster }
            multidrop:
              envelope: [ { header: Delivered-To, skip: 1 }, X-Original-To ]
              strip-prefix: "example-"
              local-domains: [ example.org ]
              aka: [ mx.example.org ]
              map: { "sales@example.org": alice, "*@lists.example.org": bob }
              users:
                alice: { maildir: %1$s/alice }
                bob: { mbox: %1$s/bob.mbox }
              postmaster: alice
              dedupe: { across-accounts: true, keep: 3d }
        """
            .formatted(dir);
    Path file = file("state: { url: \"jdbc:sqlite:" + dir.resolve("s.db") + "\" }\n" + accounts);
    String printed = popfetch("config", "check", "--config", file.toString()).out();
    assertThat(printed).contains("multidrop:", "local-domains: [example.org]", "postmaster: alice");
    String shown = printed.substring(printed.indexOf('\n') + 1);
    Path again = file("state: { url: \"jdbc:sqlite:" + dir.resolve("s.db") + "\" }\n" + shown);
    PopfetchConfig first = ConfigLoader.parse(file, accounts, false);
    PopfetchConfig second = ConfigLoader.parse(again, shown, false);
    assertThat(second.accounts().get(0).multidrop())
        .isPresent()
        .isEqualTo(first.accounts().get(0).multidrop());
  }

  @Test
  void valuesThatYamlWouldMisreadAreQuoted() {
    assertThat(ConfigText.scalar("/var/mail/alice")).isEqualTo("/var/mail/alice");
    assertThat(ConfigText.scalar("yes")).isEqualTo("\"yes\"");
    assertThat(ConfigText.scalar("1234")).isEqualTo("\"1234\"");
    assertThat(ConfigText.scalar("a: b")).isEqualTo("\"a: b\"");
    assertThat(ConfigText.scalar("#x")).isEqualTo("\"#x\"");
    assertThat(ConfigText.scalar("")).isEqualTo("\"\"");
    assertThat(ConfigText.scalar("a\u001b[2Jb")).isEqualTo("\"a\\x1b[2Jb\"");
  }
}
