package org.popfetch.multidrop;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.app.Main;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/** One Dovecot mailbox collecting for three local users, polled by popfetch poll. */
class MultidropDovecotIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;
  static Path caFile;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    TestPki pki = TestPki.create("popfetch multidrop test CA");
    caFile = pki.writeCaPem(shared.resolve("ca.pem"));
    dovecot = DovecotServer.start(DovecotServer.users("drop", "pw-drop"), pki.issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  static void seed(String header) throws Exception {
    dovecot.deliver(
        "drop",
        (header + "From: sender@example.net\r\nSubject: multidrop\r\n\r\nbody\r\n")
            .getBytes(ISO_8859_1));
  }

  static int run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  List<String> mail(String who) throws Exception {
    Path news = dir.resolve(who).resolve("new");
    if (!Files.isDirectory(news)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(news)) {
      for (Path f : files.toList()) {
        out.add(Files.readString(f, ISO_8859_1));
      }
    }
    return out;
  }

  @Test
  void twoRecipientsNobodyDuplicatesThroughTwoHeadersAndALoop() throws Exception {
    String host = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    // for alice and bob
    seed("Message-ID: <two@example.net>\r\nTo: alice@example.org\r\nCc: Bob <bob@example.org>\r\n");
    // for nobody here: the postmaster
    seed("Message-ID: <none@example.net>\r\nTo: stranger@example.com\r\n");
    // one message for carol seen through two headers, stored twice by the provider
    seed(
        "Message-ID: <dup@example.net>\r\nX-Original-To: carol@example.org\r\n"
            + "To: carol@example.org\r\n");
    seed(
        "Message-ID: <dup@example.net>\r\nX-Original-To: carol@example.org\r\n"
            + "Cc: carol@example.org\r\n");
    // back from a loop: it already went to alice here
    seed(
        "Message-ID: <loop@example.net>\r\nDelivered-To: alice@"
            + host
            + "\r\nTo: alice@example.org, carol@example.org\r\n");

    Path file = dir.resolve("popfetch.yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%1$s/state.db" }
        accounts:
          - name: domain
            server: 127.0.0.1
            port: %2$d
            ca-file: %3$s
            user: drop
            password: pw-drop
            deliver: { maildir: %1$s/postmaster }
            multidrop:
              envelope: [ X-Original-To ]
              local-domains: [ example.org ]
              users:
                alice: { maildir: %1$s/alice }
                bob: { maildir: %1$s/bob }
                carol: { maildir: %1$s/carol }
        """
            .formatted(dir, dovecot.pop3sPort(), caFile));

    assertThat(run("poll", "--config", file.toString())).isEqualTo(0);

    assertThat(mail("alice")).hasSize(1);
    assertThat(mail("alice").get(0)).contains("<two@example.net>").contains("Delivered-To: alice@");
    assertThat(mail("bob")).hasSize(1);
    assertThat(mail("bob").get(0)).contains("<two@example.net>");
    assertThat(mail("postmaster")).hasSize(1);
    assertThat(mail("postmaster").get(0)).contains("<none@example.net>");
    assertThat(mail("carol")).hasSize(2);
    assertThat(mail("carol")).filteredOn(m -> m.contains("<dup@example.net>")).hasSize(1);
    assertThat(mail("carol")).filteredOn(m -> m.contains("<loop@example.net>")).hasSize(1);
    assertThat(dovecot.messageCount("drop")).isZero();

    // Nothing is delivered twice by the next poll: 1, "no new mail", as fetchmail says it.
    assertThat(run("poll", "--config", file.toString())).isEqualTo(1);
    assertThat(mail("alice")).hasSize(1);
    assertThat(mail("carol")).hasSize(2);
  }
}
