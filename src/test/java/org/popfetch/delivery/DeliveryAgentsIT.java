package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.net.Framing;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Settings;
import org.popfetch.pop3.TlsMode;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/** {@code popfetch poll} into mbox and through real delivery agents, from a real Dovecot. */
class DeliveryAgentsIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    List<String> users = new ArrayList<>();
    for (String u :
        List.of("procmail", "retry", "refuse", "hang", "tombox", "mboxreader", "routed")) {
      users.add(u);
      users.add("pw-" + u);
    }
    dovecot =
        DovecotServer.start(
            DovecotServer.users(users.toArray(String[]::new)),
            TestPki.create("agents").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private Path config(String user, String deliver) throws Exception {
    Path file = dir.resolve(user + ".yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        quarantine: %s
        accounts:
          - name: %s
            server: 127.0.0.1
            port: %d
            tls: none
            user: %s
            password: pw-%s
            deliver: %s
        """
            .formatted(
                dir.resolve("state.db"),
                dir.resolve("quarantine"),
                user,
                dovecot.pop3Port(),
                user,
                user,
                deliver));
    return file;
  }

  private static int poll(Path config) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return cli.execute("poll", "--config", config.toString());
  }

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  @Test
  void procmailDeliversIntoAMaildir() throws Exception {
    Path maildir = dir.resolve("pm-Maildir");
    Path rc = dir.resolve("procmailrc");
    Files.writeString(
        rc,
        "MAILDIR="
            + dir
            + "\nDEFAULT="
            + maildir
            + "/\nLOGFILE="
            + dir.resolve("procmail.log")
            + "\n:0\n"
            + maildir
            + "/\n");
    Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
    dovecot.deliver("procmail", Mail.message("pm-1", 30).getBytes(ISO_8859_1));
    dovecot.deliver("procmail", Mail.message("pm-2", 30).getBytes(ISO_8859_1));
    int status =
        poll(config("procmail", "{ pipe: [/usr/bin/procmail, -m, " + rc + "], allow-root: true }"));
    assertThat(status)
        .as(
            Files.exists(dir.resolve("procmail.log"))
                ? Files.readString(dir.resolve("procmail.log"))
                : "")
        .isZero();
    assertThat(Mail.idsIn(maildir)).containsExactlyInAnyOrder("pm-1", "pm-2");
    assertThat(dovecot.messageCount("procmail")).isZero();
  }

  @Test
  void tempfailThenSuccessDeliversOnce() throws Exception {
    Path counter = dir.resolve("attempts");
    Path delivered = dir.resolve("delivered");
    Path agent =
        script(
            "flaky",
            "n=$(cat "
                + counter
                + " 2>/dev/null || echo 0); echo $((n+1)) > "
                + counter
                + "\nif [ \"$n\" = 0 ]; then echo 'try again later' >&2; exit 75; fi\ncat >> "
                + delivered);
    dovecot.deliver("retry", Mail.message("flaky-1", 10).getBytes(ISO_8859_1));
    Path config = config("retry", "{ pipe: [" + agent + "], allow-root: true }");
    assertThat(poll(config)).isEqualTo(10);
    assertThat(dovecot.messageCount("retry")).isEqualTo(1);
    assertThat(Files.exists(delivered)).isFalse();
    assertThat(poll(config)).isZero();
    assertThat(dovecot.messageCount("retry")).isZero();
    assertThat(Files.readString(delivered).split("Message-ID: <flaky-1@", -1))
        .hasSize(2); // exactly once
    assertThat(poll(config)).isEqualTo(1);
  }

  @Test
  void aPermanentRefusalIsQuarantinedThenDeleted() throws Exception {
    Path agent = script("refuse", "cat >/dev/null; echo 'user unknown' >&2; exit 1");
    dovecot.deliver("refuse", Mail.message("refused-1", 10).getBytes(ISO_8859_1));
    assertThat(poll(config("refuse", "{ pipe: [" + agent + "], allow-root: true }"))).isEqualTo(10);
    assertThat(Mail.idsIn(dir.resolve("quarantine"))).containsExactly("refused-1");
    assertThat(dovecot.messageCount("refuse")).isZero();
  }

  @Test
  void anAgentThatNeverExitsLeavesTheMailOnTheServer() throws Exception {
    Path agent = script("hang", "exec sleep 600");
    dovecot.deliver("hang", Mail.message("hung-1", 10).getBytes(ISO_8859_1));
    assertThat(poll(config("hang", "{ pipe: [" + agent + "], timeout: 1s, allow-root: true }")))
        .isEqualTo(10);
    assertThat(dovecot.messageCount("hang")).isEqualTo(1);
  }

  @Test
  void anMboxWrittenByPopfetchIsReadBackByDovecot() throws Exception {
    String tricky =
        "From: x@example.org\n"
            + "Subject: tricky\n"
            + "Message-ID: <mbox-tricky@popfetch.test>\n\n"
            + "From the start\n"
            + ">From quoted\n"
            + ">>From twice\n"
            + ".\n"
            + "last\n";
    dovecot.deliver("tombox", tricky.getBytes(ISO_8859_1));
    dovecot.deliver("tombox", Mail.message("mbox-2", 20).getBytes(ISO_8859_1));
    Path inbox = dovecot.home("mboxreader").resolve("inbox");
    assertThat(poll(config("tombox", "{ mbox: " + inbox + " }"))).isZero();
    assertThat(dovecot.messageCount("tombox")).isZero();
    dovecot.giveToMailUser(dovecot.home("mboxreader"));
    Pop3Settings settings =
        new Pop3Settings(
            "127.0.0.1",
            dovecot.pop3Port(),
            TlsMode.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)),
            true,
            Framing.CRLF,
            32);
    try (Pop3Client client = Pop3Client.connect(settings, ProtocolTrace.NONE)) {
      client.login(new Credentials.Password("mboxreader", "pw-mboxreader"), AuthMethod.USER);
      assertThat(client.stat().messages()).isEqualTo(2);
      List<String> bodies = new ArrayList<>();
      client.retr(
          List.of(1, 2),
          (n, body) ->
              bodies.add(new String(body.readAllBytes(), ISO_8859_1).replace("\r\n", "\n")));
      client.quit();
      // Dovecot splits the file where popfetch put the separators and hands the text back as
      // stored, mboxrd quoting included: undoing one '>' gives the original.
      String first =
          bodies.stream().filter(b -> b.contains("Subject: tricky")).findFirst().orElseThrow();
      assertThat(first).contains("\n>From the start\n>>From quoted\n>>>From twice\n.\nlast\n");
      assertThat(first.replaceAll("(?m)^>(>*From )", "$1"))
          .endsWith(tricky.substring(tricky.indexOf("From: x")));
      assertThat(bodies)
          .anySatisfy(
              b ->
                  assertThat(b)
                      .contains("Message-ID: <mbox-2@popfetch.test>")
                      .contains("line 19 of mbox-2\n"));
    }
  }

  @Test
  void rulesSortListMailIntoFoldersAndTheRestIntoTheInbox() throws Exception {
    dovecot.deliver(
        "routed",
        ("List-Id: Developers <dev.lists.example.org>\n" + Mail.message("list-1", 5))
            .getBytes(ISO_8859_1));
    dovecot.deliver(
        "routed",
        ("List-Id: Evil <../../etc.lists.example.org>\n" + Mail.message("evil-1", 5))
            .getBytes(ISO_8859_1));
    dovecot.deliver("routed", Mail.message("plain-1", 5).getBytes(ISO_8859_1));
    Path maildir = dir.resolve("Routed");
    String deliver =
        "{ maildir: "
            + maildir
            + " }\n"
            + "    rules:\n"
            + "      - match: { header: List-Id, regex: \"<([^>]+)\\\\.lists\\\\.example\\\\.org\""
            + " }\n"
            + "        deliver: { maildir: "
            + maildir
            + ", folder: \"Lists.$1\" }";
    int status = poll(config("routed", deliver));
    assertThat(status).isZero();
    assertThat(Mail.idsIn(maildir.resolve(".Lists.dev"))).containsExactly("list-1");
    // "../../etc" from the header cannot name a folder: that message goes to the INBOX.
    assertThat(Mail.idsIn(maildir)).containsExactlyInAnyOrder("plain-1", "evil-1");
    try (var all = Files.walk(dir)) {
      assertThat(all.filter(p -> p.toString().contains("etc"))).isEmpty();
    }
    assertThat(dovecot.messageCount("routed")).isZero();
  }
}
