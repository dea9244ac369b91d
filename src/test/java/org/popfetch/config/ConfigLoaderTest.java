package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.TlsMode;

class ConfigLoaderTest {
  static final Path FILE = Path.of("/etc/popfetch/popfetch.yaml");

  /** One account with only the required keys, starting at line 2. */
  static final String MINIMAL =
      """
      accounts:
        - name: work
          server: pop.example.com
          user: alice
          password: { env: WORK_PASS }
          deliver: { maildir: /home/alice/Maildir }
      """;

  static PopfetchConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(FILE, yaml, false);
  }

  static void assertError(String yaml, String expected) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessage(FILE + ":" + expected);
  }

  @Nested
  class ValidFiles {
    @Test
    void readsEveryKey() throws Exception {
      PopfetchConfig config =
          parse(
"""
state: { url: "jdbc:sqlite:/srv/popfetch/state.db" }
parallel: 8
per-server: 3
auth-failure-notice: 0
accounts:
  - name: work
    server: pop.example.com
    port: 1995
    tls: starttls
    ca-file: /etc/popfetch/ca.pem
    fingerprint: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    user: alice
    password: { command: [/usr/bin/pass, show, mail/work] }
    auth: cram-md5
    interval: 2m
    keep: true
    delete-after: 7d
    max-size: 20MB
    fetch-limit: 100
    timeout: 30s
    deliver: { maildir: /home/alice/Maildir }
  - name: token.user_2
    server: 192.0.2.1
    user: bob@example.org
    oauth-token: { file: /etc/popfetch/bob.token }
    auth: xoauth2
    cron: "0 */5 * * * ?"
    deliver:
      maildir: /home/bob/Maildir
""");

      assertThat(config.source()).isEqualTo(FILE);
      assertThat(config.stateUrl()).isEqualTo("jdbc:sqlite:/srv/popfetch/state.db");
      assertThat(config.parallel()).isEqualTo(8);
      assertThat(config.perServer()).isEqualTo(3);
      assertThat(config.authFailureNotice()).isZero();
      assertThat(config.accounts())
          .extracting(AccountConfig::name)
          .containsExactly("work", "token.user_2");

      AccountConfig work = config.account("work").orElseThrow();
      assertThat(work.server()).isEqualTo("pop.example.com");
      assertThat(work.port()).isEqualTo(1995);
      assertThat(work.tls()).isEqualTo(TlsMode.STARTTLS);
      assertThat(work.caFile()).contains(Path.of("/etc/popfetch/ca.pem"));
      assertThat(work.fingerprint().map(TlsTrust::formatFingerprint))
          .contains(
              "sha256:9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15"
                  + ":A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08");
      assertThat(work.user()).isEqualTo("alice");
      assertThat(work.password())
          .contains(new Secret.FromCommand(List.of("/usr/bin/pass", "show", "mail/work")));
      assertThat(work.oauthToken()).isEmpty();
      assertThat(work.auth()).isEqualTo(AuthMethod.CRAM_MD5);
      assertThat(work.schedule()).isEqualTo(new Schedule.Interval(Duration.ofMinutes(2)));
      assertThat(work.keep()).isTrue();
      assertThat(work.deleteAfter()).contains(Duration.ofDays(7));
      assertThat(work.maxSize()).isEqualTo(OptionalLong.of(20L << 20));
      assertThat(work.fetchLimit()).isEqualTo(OptionalInt.of(100));
      assertThat(work.timeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(work.deliver())
          .isEqualTo(new DeliverConfig.Maildir(Path.of("/home/alice/Maildir")));

      AccountConfig bob = config.account("token.user_2").orElseThrow();
      assertThat(bob.server()).isEqualTo("192.0.2.1");
      assertThat(bob.password()).isEmpty();
      assertThat(bob.oauthToken())
          .contains(new Secret.FromFile(Path.of("/etc/popfetch/bob.token")));
      assertThat(bob.auth()).isEqualTo(AuthMethod.XOAUTH2);
      assertThat(bob.schedule()).isEqualTo(new Schedule.Cron("0 */5 * * * ?"));
      assertThat(bob.deliver()).isEqualTo(new DeliverConfig.Maildir(Path.of("/home/bob/Maildir")));
    }

    @Test
    void fillsInDefaults() throws Exception {
      PopfetchConfig config = parse(MINIMAL);

      assertThat(config.stateUrl()).isEqualTo("jdbc:sqlite:/var/lib/popfetch/state.db");
      assertThat(config.parallel()).isEqualTo(4);
      assertThat(config.perServer()).isEqualTo(2);
      assertThat(config.authFailureNotice()).isEqualTo(3);
      AccountConfig a = config.accounts().get(0);
      assertThat(a.port()).isEqualTo(995);
      assertThat(a.tls()).isEqualTo(TlsMode.IMPLICIT);
      assertThat(a.caFile()).isEmpty();
      assertThat(a.fingerprint()).isEmpty();
      assertThat(a.password()).contains(new Secret.FromEnv("WORK_PASS"));
      assertThat(a.auth()).isEqualTo(AuthMethod.AUTO);
      assertThat(a.schedule()).isEqualTo(new Schedule.Interval(Duration.ofMinutes(5)));
      assertThat(a.keep()).isFalse();
      assertThat(a.deleteAfter()).isEmpty();
      assertThat(a.maxSize()).isEmpty();
      assertThat(a.fetchLimit()).isEmpty();
      assertThat(a.timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void plainPortsAre110() throws Exception {
      for (String tls : List.of("starttls", "none")) {
        AccountConfig a =
            parse(MINIMAL.replace("user: alice", "user: alice\n    tls: " + tls)).accounts().get(0);
        assertThat(a.port()).as(tls).isEqualTo(110);
      }
    }

    @Test
    void anAccountTakesTheDefaultsItDoesNotSet() throws Exception {
      PopfetchConfig config =
          parse(
              """
              defaults:
                server: pop.example.com
                tls: starttls
                password: { env: SHARED_PASS }
                interval: 10m
                keep: true
                delete-after: 30d
                timeout: 20s
                deliver: { maildir: /var/mail/shared }
              accounts:
                - name: one
                  user: alice
                - name: two
                  user: bob
                  server: pop.example.org
                  oauth-token: { env: BOB_TOKEN }
                  cron: "0 0 * * * ?"
                  timeout: 5s
              """);

      AccountConfig one = config.account("one").orElseThrow();
      assertThat(one.server()).isEqualTo("pop.example.com");
      assertThat(one.port()).isEqualTo(110);
      assertThat(one.password()).contains(new Secret.FromEnv("SHARED_PASS"));
      assertThat(one.schedule()).isEqualTo(new Schedule.Interval(Duration.ofMinutes(10)));
      assertThat(one.keep()).isTrue();
      assertThat(one.deleteAfter()).contains(Duration.ofDays(30));
      assertThat(one.timeout()).isEqualTo(Duration.ofSeconds(20));
      assertThat(one.deliver()).isEqualTo(new DeliverConfig.Maildir(Path.of("/var/mail/shared")));

      AccountConfig two = config.account("two").orElseThrow();
      assertThat(two.server()).isEqualTo("pop.example.org");
      // The account's token replaces the default password, its cron the default interval.
      assertThat(two.password()).isEmpty();
      assertThat(two.oauthToken()).contains(new Secret.FromEnv("BOB_TOKEN"));
      assertThat(two.schedule()).isEqualTo(new Schedule.Cron("0 0 * * * ?"));
      assertThat(two.schedule().interval()).isEqualTo(Duration.ofMinutes(5));
      assertThat(two.timeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(two.keep()).isTrue();
    }

    @Test
    void readsScalarsAsWrittenWhereAStringIsExpected() throws Exception {
      AccountConfig a =
          parse(MINIMAL.replace("user: alice", "user: 007").replace("{ env: WORK_PASS }", "0123"))
              .accounts()
              .get(0);
      assertThat(a.user()).isEqualTo("007");
      assertThat(a.password()).contains(new Secret.Literal("0123"));
    }

    @Test
    void acceptsStandardTags() throws Exception {
      AccountConfig a =
          parse(MINIMAL.replace("user: alice", "user: !!str 007\n    port: !!int \"1995\""))
              .accounts()
              .get(0);
      assertThat(a.user()).isEqualTo("007");
      assertThat(a.port()).isEqualTo(1995);
    }

    @Test
    void acceptsAnchorsAndAliases() throws Exception {
      PopfetchConfig config =
          parse(
              """
              accounts:
                - name: one
                  server: pop.example.com
                  user: alice
                  password: &pass { command: [/usr/bin/pass, show, mail] }
                  deliver: &box { maildir: /home/alice/Maildir }
                - name: two
                  server: pop.example.com
                  user: alice2
                  password: *pass
                  deliver: *box
              """);
      assertThat(config.accounts().get(1).password())
          .isEqualTo(config.accounts().get(0).password());
    }

    @Test
    void ignoresAByteOrderMark() throws Exception {
      assertThat(parse("\uFEFF" + MINIMAL).accounts()).hasSize(1);
    }

    @Test
    void theReferenceConfigIsValid() throws Exception {
      Path reference = Path.of("conf/popfetch.yaml");
      PopfetchConfig config = ConfigLoader.parse(reference, Files.readString(reference), false);
      assertThat(config.accounts()).extracting(AccountConfig::name).containsExactly("work", "home");
    }
  }

  @Nested
  class UnknownKeys {
    @Test
    void atTheTop() {
      assertError(
          "statistics: { listen: \"127.0.0.1:9105\" }\n" + MINIMAL,
          "1: statistics: unknown key; valid keys here: state, cluster, parallel, per-server,"
              + " auth-failure-notice, quarantine, queue, metrics, control, defaults, accounts");
    }

    @Test
    void inDefaults() {
      assertError(
          "defaults:\n  interval: 5m\n  color: blue\n" + MINIMAL,
          "3: defaults.color: unknown key; valid keys here: name, server, port, tls, ca-file,"
              + " fingerprint, user, password, oauth-token, oauth, auth, interval, cron, keep,"
              + " delete-after, max-size, fetch-limit, full-listing-every, timeout, deliver,"
              + " recipient-header, rules, uid-scope, received, delivered-to, drop-delivered-to,"
              + " drop-status, line-endings, multidrop");
    }

    @Test
    void nameInDefaults() {
      assertError(
          "defaults:\n  name: x\n" + MINIMAL,
          "2: defaults.name: each account needs its own name; it cannot be a default");
    }

    @Test
    void inAnAccountWithASuggestion() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    ca_file: /etc/ca.pem"),
          "5: accounts[0].ca_file: unknown key (did you mean 'ca-file'?); valid keys here: name,"
              + " server, port, tls, ca-file, fingerprint, user, password, oauth-token, oauth,"
              + " auth, interval, cron, keep, delete-after, max-size, fetch-limit,"
              + " full-listing-every, timeout, deliver, recipient-header, rules, uid-scope,"
              + " received, delivered-to, drop-delivered-to, drop-status, line-endings,"
              + " multidrop");
    }

    @Test
    void inDeliver() {
      assertError(
          MINIMAL.replace("{ maildir: /home/alice/Maildir }", "{ mailbox: /var/mail/alice }"),
          "6: accounts[0].deliver.mailbox: unknown key; valid keys here:"
              + " maildir, mbox, pipe, smtp, timeout, user, allow-root");
    }

    @Test
    void inASecret() {
      assertError(
          MINIMAL.replace("{ env: WORK_PASS }", "{ environment: WORK_PASS }"),
          "5: accounts[0].password.environment: unknown key; valid keys here: env, file, command");
    }

    @Test
    void inState() {
      assertError(
          "state: { uri: /var/lib/popfetch }\n" + MINIMAL,
          "1: state.uri: unknown key (did you mean 'url'?); valid keys here: url, user, password,"
              + " dir");
    }

    @Test
    void twice() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    user: bob"),
          "5: accounts[0].user: duplicate key (first at line 4)");
    }
  }

  @Nested
  class RequiredKeys {
    @Test
    void accounts() {
      assertError("parallel: 2\n", "1: missing required key 'accounts'");
    }

    @Test
    void atLeastOneAccount() {
      assertError("accounts: []\n", "1: accounts: expected at least one account");
    }

    @Test
    void serverAtTheAccountsLine() {
      assertError(
          MINIMAL
              + """
                - name: home
                  user: alice
                  password: { env: HOME_PASS }
                  deliver: { maildir: /home/alice/Maildir }
              """,
          "7: accounts[1]: missing required key 'server'");
    }

    @Test
    void aPasswordOrToken() {
      assertError(
          MINIMAL.replace("    password: { env: WORK_PASS }\n", ""),
          "2: accounts[0]: missing required key 'password' (or 'oauth-token' or 'oauth')");
    }

    @Test
    void deliver() {
      assertError(
          MINIMAL.replace("    deliver: { maildir: /home/alice/Maildir }\n", ""),
          "2: accounts[0]: missing required key 'deliver'");
    }

    @Test
    void stateUrl() {
      assertError("state: {}\n" + MINIMAL, "1: state: missing required key 'url'");
    }

    @Test
    void aDestination() {
      assertError(
          MINIMAL.replace("{ maildir: /home/alice/Maildir }", "{}"),
          "6: accounts[0].deliver: expected a destination: maildir, mbox, pipe or smtp");
    }
  }

  @Nested
  class BadValues {
    @Test
    void port() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    port: abc"),
          "5: accounts[0].port: expected an integer 1..65535, got \"abc\"");
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    port: 70000"),
          "5: accounts[0].port: expected an integer 1..65535, got \"70000\"");
    }

    @Test
    void anEmptyValue() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    port:"),
          "5: accounts[0].port: expected an integer 1..65535, got nothing");
    }

    @Test
    void aMappingForAScalar() {
      assertError(
          MINIMAL.replace("user: alice", "user: { name: alice }"),
          "4: accounts[0].user: expected a string, got a mapping");
    }

    @Test
    void parallel() {
      assertError("parallel: 0\n" + MINIMAL, "1: parallel: expected an integer 1..256, got \"0\"");
    }

    @Test
    void authFailureNotice() {
      assertError(
          "auth-failure-notice: -1\n" + MINIMAL,
          "1: auth-failure-notice: expected an integer 0..1000, got \"-1\"");
    }

    @Test
    void perServer() {
      assertError(
          "per-server: 0\n" + MINIMAL, "1: per-server: expected an integer 1..256, got \"0\"");
    }

    @Test
    void fetchLimit() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    fetch-limit: -1"),
          "5: accounts[0].fetch-limit: expected an integer of at least 1, got \"-1\"");
    }

    @Test
    void keep() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    keep: \"yes please\""),
          "5: accounts[0].keep: expected true or false, got \"yes please\"");
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    keep: yes"),
          "5: accounts[0].keep: expected true or false, got \"yes\"");
    }

    @Test
    void intervalTooShort() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    interval: 5s"),
          "5: accounts[0].interval: must be at least 10s, got \"5s\"");
    }

    @Test
    void badDuration() {
      assertError(
          "defaults: { interval: 5 minutes }\n" + MINIMAL,
          "1: defaults.interval: expected a duration such as 500ms, 90s, 5m, 2h or 7d,"
              + " got \"5 minutes\"");
    }

    @Test
    void timeoutTooLong() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    timeout: 2h"),
          "5: accounts[0].timeout: must be between 1s and 1h, got \"2h\"");
    }

    @Test
    void badSize() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    max-size: 20XB"),
          "5: accounts[0].max-size: expected a size such as 1048576, 512KB, 20MB or 1GB,"
              + " got \"20XB\"");
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    max-size: 0MB"),
          "5: accounts[0].max-size: must be more than 0, got \"0MB\"");
    }

    @Test
    void relativeMaildir() {
      assertError(
          MINIMAL.replace("/home/alice/Maildir", "Maildir"),
          "6: accounts[0].deliver.maildir: must be an absolute path, got \"Maildir\"");
    }

    @Test
    void relativeCaFile() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    ca-file: ca.pem"),
          "5: accounts[0].ca-file: must be an absolute path, got \"ca.pem\"");
    }

    @Test
    void fingerprint() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    fingerprint: sha1:AB:CD"),
          "5: accounts[0].fingerprint: expected \"sha256:\" and 64 hex digits (colons allowed), as"
              + " printed by openssl x509 -noout -fingerprint -sha256, got \"sha1:AB:CD\"");
    }

    @Test
    void tls() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    tls: ssl"),
          "5: accounts[0].tls: expected implicit, starttls or none, got \"ssl\"");
    }

    @Test
    void auth() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    auth: gssapi"),
          "5: accounts[0].auth: expected one of auto, user, apop, plain, login, cram-md5, xoauth2,"
              + " oauthbearer, got \"gssapi\"");
    }

    @Test
    void authThatDoesNotFitTheSecret() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    auth: xoauth2"),
          "5: accounts[0].auth: xoauth2 needs oauth or an oauth-token, but account \"work\" has a"
              + " password");
      assertError(
          MINIMAL.replace("password:", "auth: apop\n    oauth-token:"),
          "5: accounts[0].auth: apop needs a password, but account \"work\" has an oauth-token");
    }

    @Test
    void accountName() {
      assertError(
          MINIMAL.replace("name: work", "name: my work"),
          "2: accounts[0].name: expected 1 to 64 letters, digits, '.', '_' or '-', got \"my"
              + " work\"");
    }

    @Test
    void duplicateAccountNameAtItsKey() {
      assertError(
          MINIMAL
              + """
                - server: pop.example.com
                  name: work
                  user: alice
                  password: { env: HOME_PASS }
                  deliver: { maildir: /home/alice/Maildir }
              """,
          "8: accounts[1].name: duplicate account name \"work\" (first at line 2)");
    }

    @Test
    void duplicateAccountNameAtTheSecondOne() {
      assertError(
          MINIMAL + MINIMAL.substring(MINIMAL.indexOf("  - name")),
          "7: accounts[1].name: duplicate account name \"work\" (first at line 2)");
    }

    @Test
    void deleteAfterWithoutKeep() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    delete-after: 7d"),
          "5: accounts[0].delete-after: applies only with keep: true, but account \"work\" has"
              + " keep: false");
    }

    @Test
    void deleteAfterFromDefaultsWithoutKeep() {
      assertError(
          "defaults:\n  keep: true\n  delete-after: 7d\n"
              + MINIMAL.replace("user: alice", "user: alice\n    keep: false"),
          "3: defaults.delete-after: applies only with keep: true, but account \"work\" has keep:"
              + " false");
    }

    @Test
    void passwordAndToken() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    oauth-token: { env: T }"),
          "6: accounts[0].password: set either password or oauth-token, not both");
    }

    @Test
    void intervalAndCron() {
      assertError(
          "defaults: { interval: 5m, cron: \"0 * * * * ?\" }\n" + MINIMAL,
          "1: defaults.cron: set either interval or cron, not both");
    }

    @Test
    void blankCron() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    cron: \" \""),
          "5: accounts[0].cron: must not be empty");
    }

    @Test
    void otherStateStores() {
      assertError(
          "state: { url: \"jdbc:mysql://db/popfetch\" }\n" + MINIMAL,
          "1: state.url: expected jdbc:sqlite:/path/to/state.db or jdbc:postgresql://host/database,"
              + " got \"jdbc:mysql://db/popfetch\"");
      assertError(
          "state: { url: \"jdbc:sqlite::memory:\" }\n" + MINIMAL,
          "1: state.url: an in-memory database forgets seen messages at every restart; name a"
              + " file");
    }

    @Test
    void commandAsAString() {
      assertError(
          MINIMAL.replace("{ env: WORK_PASS }", "{ command: pass show mail }"),
          "5: accounts[0].password.command: expected a list: the program and its arguments (no"
              + " shell), got \"pass show mail\"");
    }

    @Test
    void envName() {
      assertError(
          MINIMAL.replace("{ env: WORK_PASS }", "{ env: \"$WORK_PASS\" }"),
          "5: accounts[0].password.env: expected an environment variable name, got \"$WORK_PASS\"");
    }

    @Test
    void twoSecretSources() {
      assertError(
          MINIMAL.replace("{ env: WORK_PASS }", "{ env: WORK_PASS, file: /etc/pass }"),
          "5: accounts[0].password: expected exactly one of env, file, command");
    }

    @Test
    void secretsAreNeverQuoted() {
      assertThatThrownBy(() -> parse(MINIMAL.replace("{ env: WORK_PASS }", "[hunter2]")))
          .hasMessage(
              FILE
                  + ":5: accounts[0].password: expected a password or one of {env: NAME},"
                  + " {file: /path}, {command: [program, args...]}, got a list")
          .message()
          .doesNotContain("hunter2");
    }

    @Test
    void controlCharactersAreEscaped() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    tls: \"a\\u001b[2J\\n\""),
          "5: accounts[0].tls: expected implicit, starttls or none, got \"a\\u001b[2J\\n\"");
    }
  }

  @Nested
  class YamlSyntax {
    @Test
    void malformedReportsTheLine() {
      assertError(
          MINIMAL.replace("user: alice", "user: alice\n    port: [995"),
          "6: invalid YAML: expected ',' or ']', but got : (while parsing a flow sequence at line"
              + " 5)");
    }

    @Test
    void badIndentation() {
      assertError(
          MINIMAL.replace("    user: alice", "   user: alice"),
          "4: invalid YAML: expected <block end>, but found '<block mapping start>' (while"
              + " parsing a block collection at line 2)");
    }

    @Test
    void empty() {
      assertThatThrownBy(() -> parse("# nothing here\n"))
          .hasMessage(FILE + ": the file is empty; it needs at least accounts:");
    }

    @Test
    void notAMapping() {
      assertError("- a\n- b\n", "1: expected a mapping (key: value), got a list");
    }

    @Test
    void twoDocuments() {
      assertError(
          MINIMAL + "---\n" + MINIMAL,
          "7: invalid YAML: expected a single document in the stream at line 1, but found another"
              + " document");
    }

    @Test
    void customTags() {
      assertError(
          MINIMAL.replace("user: alice", "user: !!javax.script.ScriptEngineManager [x]"),
          "4: invalid YAML: Global tag is not allowed:"
              + " tag:yaml.org,2002:javax.script.ScriptEngineManager");
      assertError(
          MINIMAL.replace("{ env: WORK_PASS }", "!secret { env: WORK_PASS }"),
          "5: accounts[0].password: YAML tag !secret is not supported");
    }

    @Test
    void mergeKeys() {
      assertError(
          "defaults: &base { server: pop.example.com }\n"
              + MINIMAL.replace("server: pop.example.com", "<<: *base"),
          "4: accounts[0]: merge keys (<<) are not supported; put shared settings in defaults:");
    }

    @Test
    void aliasBombs() {
      StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
      for (char c = 'b'; c <= 'k'; c++) {
        char p = (char) (c - 1);
        yaml.append(c)
            .append(": &")
            .append(c)
            .append(" [*")
            .append(p)
            .append(", *")
            .append(p)
            .append(", *")
            .append(p)
            .append(", *")
            .append(p)
            .append("]\n");
      }
      assertThatThrownBy(() -> parse(yaml.toString()))
          .hasMessage(
              FILE
                  + ": invalid YAML: Number of aliases for non-scalar nodes exceeds the specified"
                  + " max=16");
    }
  }

  @Nested
  class FileSystemChecks {
    @TempDir Path dir;

    @Test
    void aLiteralPasswordNeedsAPrivateFile() throws Exception {
      Path file = write(MINIMAL.replace("{ env: WORK_PASS }", "s3cret"), "rw-r--r--");
      assertThatThrownBy(() -> ConfigLoader.load(file))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              file
                  + ":5: accounts[0].password: a secret written in the file needs a private file,"
                  + " but its mode 0644 lets group and others read it; chmod 600 "
                  + file
                  + " (or 640 with owner root and popfetch's group), or use {env: NAME},"
                  + " {file: /path} or {command: [...]}")
          .message()
          .doesNotContain("s3cret");
    }

    @Test
    void aLiteralPasswordInTheServicesRootOwnedGroupFileIsAccepted() throws Exception {
      assumeTrue("root".equals(System.getProperty("user.name")), "the file must be root's");
      // /etc/popfetch/popfetch.yaml as the package ships it: 0640, root, the service's group.
      Path file = write(MINIMAL.replace("{ env: WORK_PASS }", "s3cret"), "rw-r-----");
      assertThat(ConfigLoader.load(file).accounts().get(0).password()).isPresent();
    }

    @Test
    void aLiteralPasswordInAPrivateFileIsAccepted() throws Exception {
      Path file = write(MINIMAL.replace("{ env: WORK_PASS }", "s3cret"), "rw-------");
      assertThat(ConfigLoader.load(file).accounts().get(0).password())
          .contains(new Secret.Literal("s3cret"));
    }

    @Test
    void otherSecretsNeedNoPrivateFile() throws Exception {
      Path file = write(MINIMAL, "rw-r--r--");
      assertThat(ConfigLoader.load(file).accounts()).hasSize(1);
    }

    @Test
    void aCaFileMustExist() throws Exception {
      Path ca = dir.resolve("ca.pem");
      Path file =
          write(MINIMAL.replace("user: alice", "user: alice\n    ca-file: " + ca), "rw-------");
      assertThatThrownBy(() -> ConfigLoader.load(file))
          .hasMessage(file + ":5: accounts[0].ca-file: " + ca + ": no such file");
      Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n");
      assertThat(ConfigLoader.load(file).accounts().get(0).caFile()).contains(ca);
    }

    @Test
    void aMissingFile() {
      Path file = dir.resolve("popfetch.yaml");
      assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessage(file + ": no such file");
    }

    @Test
    void anEmptyName() {
      assertThatThrownBy(() -> ConfigLoader.load(Path.of("")))
          .hasMessage("no configuration file named: the file name is empty");
    }

    @Test
    void aDirectory() {
      assertThatThrownBy(() -> ConfigLoader.load(dir)).hasMessage(dir + ": not a regular file");
    }

    @Test
    void notUtf8() throws Exception {
      Path file = dir.resolve("popfetch.yaml");
      Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
      assertThatThrownBy(() -> ConfigLoader.load(file)).hasMessage(file + ": not valid UTF-8");
    }

    private Path write(String yaml, String perms) throws IOException {
      Path file = dir.resolve("popfetch.yaml");
      Files.writeString(file, yaml);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
      return file;
    }
  }
}
