package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import org.sqlite.JDBC;
import picocli.CommandLine;

/**
 * UID scopes against a real Dovecot, which serves one maildrop on its pop3 and pop3s ports.
 * popfetch cannot see that two ports lead to one maildrop, so it treats them as two mailboxes: at
 * worst a message is delivered once per account, never deleted before its account delivered it
 * (docs/adr/0003-uid-scope-with-port.md).
 */
class UidScopeDovecotIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;
  static Path caFile;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("popfetch uid scope test CA");
    caFile = pki.writeCaPem(shared.resolve("ca.pem"));
    dovecot =
        DovecotServer.start(
            DovecotServer.users("both", "pw-both", "mixed", "pw-mixed", "upgrade", "pw-upgrade"),
            pki.issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static void seed(String user, String... ids) throws Exception {
    for (String id : ids) {
      dovecot.deliver(user, Mail.message(id, 20).getBytes(ISO_8859_1));
    }
  }

  /** An account of {@code user} on Dovecot's pop3s port, or with STLS on its pop3 port. */
  private String account(String name, String user, boolean pop3s, String extra) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: %3$s
        ca-file: %4$s
        user: %5$s
        password: pw-%5$s
        deliver: { maildir: %6$s }
    %7$s
    """
        .formatted(
            name,
            pop3s ? dovecot.pop3sPort() : dovecot.pop3Port(),
            pop3s ? "implicit" : "starttls",
            caFile,
            user,
            maildir(name),
            extra.indent(4).stripTrailing());
  }

  private Path maildir(String account) {
    return dir.resolve("Maildir-" + account);
  }

  private Path config(String... accounts) throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file, "state: { url: \"" + stateUrl() + "\" }\naccounts:\n" + String.join("", accounts));
    return file;
  }

  private String stateUrl() {
    return "jdbc:sqlite:" + dir.resolve("state.db");
  }

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  @Test
  void oneMaildropKeptThroughBothPortsIsDeliveredOncePerAccount() throws Exception {
    seed("both", "b1", "b2");
    Path config =
        config(
            account("plain", "both", false, "keep: true"),
            account("secure", "both", true, "keep: true"));

    Run first = popfetch("poll", "--config", config.toString());
    assertThat(first.status()).as(first.output()).isZero();
    seed("both", "b3");
    Run second = popfetch("poll", "--config", config.toString());
    assertThat(second.status()).as(second.output()).isZero();
    Run third = popfetch("poll", "--config", config.toString());
    assertThat(third.status()).as("nothing new: " + third.output()).isEqualTo(1);

    assertThat(Mail.idsIn(maildir("plain"))).containsExactlyInAnyOrder("b1", "b2", "b3");
    assertThat(Mail.idsIn(maildir("secure"))).containsExactlyInAnyOrder("b1", "b2", "b3");
    assertThat(dovecot.messageCount("both")).isEqualTo(3);
  }

  @Test
  void anAccountThatDeletesThroughTheOtherPortDeliversEverythingFirst() throws Exception {
    seed("mixed", "m1", "m2", "m3");
    Path config =
        config(
            account("keeper", "mixed", false, "keep: true"), account("deleter", "mixed", true, ""));

    Run kept = popfetch("poll", "--config", config.toString(), "keeper");
    assertThat(kept.status()).as(kept.output()).isZero();
    Run deleted = popfetch("poll", "--config", config.toString(), "deleter");
    assertThat(deleted.status()).as(deleted.output()).isZero();

    assertThat(Mail.idsIn(maildir("keeper"))).containsExactlyInAnyOrder("m1", "m2", "m3");
    assertThat(Mail.idsIn(maildir("deleter")))
        .as("the keeper's records are not the deleter's: nothing deleted unread")
        .containsExactlyInAnyOrder("m1", "m2", "m3");
    assertThat(dovecot.messageCount("mixed")).isZero();
  }

  @Test
  void stateOfAnEarlierVersionIsAdoptedSoKeptMailIsNotDeliveredAgain() throws Exception {
    seed("upgrade", "u1", "u2");
    Path config = config(account("upgrade", "upgrade", true, "keep: true"));
    Run first = popfetch("poll", "--config", config.toString());
    assertThat(first.status()).as(first.output()).isZero();
    // Key the records as an earlier version did: user@server, no port.
    try (Connection db = new JDBC().connect(stateUrl(), new Properties());
        Statement s = db.createStatement()) {
      assertThat(s.executeUpdate("UPDATE seen_uid SET account = 'upgrade@127.0.0.1'")).isEqualTo(2);
    }

    Run upgraded = popfetch("poll", "--config", config.toString());

    assertThat(upgraded.status()).as("nothing new: " + upgraded.output()).isEqualTo(1);
    assertThat(Mail.idsIn(maildir("upgrade"))).containsExactlyInAnyOrder("u1", "u2");
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open(stateUrl())) {
      assertThat(store.load(AccountKey.of("127.0.0.1", dovecot.pop3sPort(), "upgrade"))).hasSize(2);
      assertThat(store.load(AccountKey.beforePorts("127.0.0.1", "upgrade"))).isEmpty();
    }
  }
}
