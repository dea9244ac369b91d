package org.popfetch.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.MultidropConfig;
import org.popfetch.config.PopfetchConfig;

class FetchmailRcImportTest {
  @TempDir Path dir;

  private static Path sample(String name) {
    try {
      return Path.of(FetchmailRcImportTest.class.getResource("/fetchmailrc/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Translates a sample, writes it as the command does, and loads it with popfetch's loader. */
  private Written write(String name) throws Exception {
    return write(sample(name));
  }

  private Written write(Path rc) throws Exception {
    Translation t = FetchmailRcImport.translate(rc, dir.resolve("secrets"), "localu");
    FetchmailRcImport.writeSecrets(t);
    Path yaml = dir.resolve("popfetch.yaml");
    FetchmailRcImport.writeYaml(t, yaml);
    return new Written(t, yaml);
  }

  private record Written(Translation t, Path yaml) {
    PopfetchConfig load() throws ConfigException {
      return ConfigLoader.load(yaml);
    }

    String text() throws IOException {
      return Files.readString(yaml);
    }
  }

  @Test
  void anSslKeepProcmailMailboxTranslatesWholly() throws Exception {
    Written w = write("ssl-keep-procmail.fetchmailrc");

    assertThat(w.t().complete()).as(w.t().notes().toString()).isTrue();
    PopfetchConfig config = w.load();
    assertThat(config.accounts()).hasSize(1);
    AccountConfig a = config.accounts().get(0);
    assertThat(a.name()).isEqualTo("pop.example.com");
    assertThat(a.server()).isEqualTo("pop.example.com");
    assertThat(a.port()).isEqualTo(995);
    assertThat(a.user()).isEqualTo("joe");
    assertThat(w.text())
        .contains("tls: implicit")
        .contains("keep: true")
        .contains("interval: 300s")
        // %T of a single-drop entry is its one local name; no shell.
        .contains("deliver: { pipe: [\"/usr/bin/procmail\", \"-d\", \"jdoe\"] }")
        .doesNotContain("s3cr");
    Path secret = dir.resolve("secrets/pop.example.com.pass");
    assertThat(Files.readString(secret)).isEqualTo("s3cr\"et\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
    assertThat(w.text()).contains("password: { file: \"" + secret.toAbsolutePath() + "\" }");
  }

  @Test
  void severalPollsTakeTheDefaultsAndBecomeOneAccountPerUser() throws Exception {
    Written w = write("several-polls.fetchmailrc");

    PopfetchConfig config = w.load();
    List<String> names = config.accounts().stream().map(AccountConfig::name).toList();
    assertThat(names)
        .containsExactly(
            "mail.provider-one.net-bob-provider-one.net",
            "mail.provider-one.net-carol",
            "pop.provider-two.org");
    AccountConfig bob = config.accounts().get(0);
    assertThat(bob.server()).isEqualTo("pop.provider-one.net");
    assertThat(bob.port()).isEqualTo(1995);
    assertThat(bob.user()).isEqualTo("bob@provider-one.net");
    assertThat(w.text())
        .contains("timeout: 120s")
        .contains("max-size: 1000000")
        .contains("fetch-limit: 50")
        // interval 3 of a 600 s daemon
        .contains("interval: 1800s")
        .contains(
            "deliver: { smtp: { host: \"mail.local.lan\", port: 2525, to:"
                + " [\"carol@mail.local.lan\"] } }")
        .contains(
            "fingerprint:"
                + " \"sha256:9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08\"");
    assertThat(Files.readString(dir.resolve("secrets/pop.provider-two.org.pass")))
        .isEqualTo("three\n");
    // The postmaster has no equivalent: said with its line, and the result is incomplete.
    assertThat(w.t().complete()).isFalse();
    assertThat(w.t().notes())
        .filteredOn(Note::untranslated)
        .extracting(Note::line)
        .containsExactly(3);
  }

  @Test
  void multidropBecomesAMultidropBlockWithAUserPerLocalName() throws Exception {
    Written w = write("multidrop.fetchmailrc");

    List<String> untranslated =
        w.t().notes().stream()
            .filter(Note::untranslated)
            .map(n -> n.line() + " " + n.text())
            .toList();
    assertThat(untranslated)
        .noneSatisfy(s -> assertThat(s).startsWith("3 set invisible"))
        .noneSatisfy(s -> assertThat(s).startsWith("10 dropdelivered"))
        .anySatisfy(s -> assertThat(s).startsWith("11 fetchall"))
        .noneSatisfy(s -> assertThat(s).contains("multidrop"))
        .noneSatisfy(s -> assertThat(s).startsWith("5 localdomains"))
        .noneSatisfy(s -> assertThat(s).startsWith("6 envelope"))
        .noneSatisfy(s -> assertThat(s).startsWith("7 aka"));
    String text = w.text();
    assertThat(text)
        .doesNotContain("recipient-header:")
        .contains("    received: false")
        .contains("    drop-delivered-to: true")
        .contains("      envelope: [ { header: \"X-Original-To\", skip: 0 } ]\n")
        .contains("      local-domains: [\"example.org\", \"example.net\"]\n")
        .contains("      aka: [\"mx.example.org\", \"mail.example.org\"]\n")
        .contains("      map: { \"*\": \"passthrough\" }\n")
        .contains(
            "        \"alice\": { smtp: { host: \"localhost\", port: 25, tls: none, to:"
                + " [\"alice@localhost\"] } }")
        // what fetchmail passed through as it was: each message's own recipient
        .contains(
            "        \"passthrough\": { smtp: { host: \"localhost\", port: 25, tls: none } }");
    MultidropConfig m = w.load().accounts().get(0).multidrop().orElseThrow();
    assertThat(m.users().keySet()).containsExactly("alice", "bob", "passthrough");
    assertThat(m.envelope()).containsExactly(new MultidropConfig.Envelope("X-Original-To", 0));
  }

  @Test
  void skipPostmasterQvirtualAndAMappingAreTranslated() throws Exception {
    Path rc = dir.resolve("skip.fetchmailrc");
    Files.writeString(
        rc,
        """
        set postmaster "admin"
        poll pop.example.com proto pop3 localdomains example.org
            envelope 1 Delivered-To qvirtual "example-"
          user "maildrop" with password "pw" to alice "hurkle"="happy" here
            mda "/usr/bin/procmail -d %T"
        """);
    Written w = write(rc);
    String text = w.text();
    assertThat(text)
        .contains("envelope: [ { header: \"Delivered-To\", skip: 1 } ]")
        .contains("strip-prefix: \"example-\"")
        .contains("map: { \"hurkle\": \"happy\" }")
        .contains("postmaster: \"admin\"")
        .contains("\"happy\": { pipe: [\"/usr/bin/procmail\", \"-d\", \"happy\"] }");
    MultidropConfig m = w.load().accounts().get(0).multidrop().orElseThrow();
    assertThat(m.users().keySet()).containsExactly("alice", "happy", "admin");
    assertThat(m.postmaster()).contains("admin");
  }

  @Test
  void aShellMdaRunsThroughTheShellOnlyWithANoteAndAnImapPollIsLeftOut() throws Exception {
    Written w = write("mda-shell-imap.fetchmailrc");

    List<Note> untranslated = w.t().notes().stream().filter(Note::untranslated).toList();
    assertThat(untranslated)
        .extracting(n -> n.line() + " " + n.text())
        .anySatisfy(s -> assertThat(s).startsWith("1 set logfile"))
        .anySatisfy(s -> assertThat(s).startsWith("2 poll imap.example.com (proto imap)"))
        .anySatisfy(s -> assertThat(s).startsWith("5 preconnect"))
        .anySatisfy(s -> assertThat(s).startsWith("6 mda").contains("shell syntax"))
        .noneSatisfy(s -> assertThat(s).contains("dropstatus"));
    assertThat(w.text())
        .contains("tls: none")
        .contains("drop-status: true")
        .contains(
            "deliver: { pipe: [\"/bin/sh\", \"-c\", \"/usr/bin/procmail -d eve | tee -a"
                + " /tmp/copy\"] }")
        .doesNotContain("imap.example.com\"");
    assertThat(w.load().accounts())
        .extracting(AccountConfig::name)
        .containsExactly("pop.example.com");
  }

  @Test
  void quotedStringsTakeFetchmailsEscapesAndTheReversedFormSwapsNames() throws Exception {
    Written w = write("quoted.fetchmailrc");

    AccountConfig a = w.load().accounts().get(0);
    assertThat(a.user()).isEqualTo("fAnk");
    assertThat(a.port()).isEqualTo(995);
    assertThat(Files.readString(dir.resolve("secrets/pop.quoted.example.pass")))
        .isEqualTo("aAb\\c\td#not-a-comment\n");
    assertThat(w.text())
        .contains("auth: user")
        .contains("keep: false")
        .contains(
            "deliver: { smtp: { host: \"/run/dovecot/lmtp\", lmtp: true, tls: none, to:"
                + " [\"frank@localhost\"] } }");
  }

  @Test
  void aMultidropMdaGetsTheRecipientPlaceholderAndAProgramIsFoundOnThePath() throws Exception {
    FetchmailRc rc =
        RcParser.parse(
            "rc",
            "poll p user u pass x to a b here mda \"procmail -d %T -f %F\"\n"
                + "poll q user u pass x mda \"nosuchprogram %T\"\n");
    Translation t =
        new RcTranslator(
                "rc",
                dir,
                "me",
                p ->
                    p.equals("procmail")
                        ? Optional.of(Path.of("/usr/bin/procmail"))
                        : Optional.empty())
            .translate(rc);

    assertThat(t.yaml())
        .contains(
            "deliver: { pipe: [\"/usr/bin/procmail\", \"-d\", \"%{recipient}\", \"-f\","
                + " \"%{sender}\"] }");
    assertThat(t.notes())
        .filteredOn(Note::untranslated)
        .extracting(Note::text)
        .anySatisfy(s -> assertThat(s).contains("not on the search path"));
  }

  @Test
  void aSyntaxErrorNamesTheFileAndLine() throws IOException {
    Path rc = dir.resolve("rc");
    Files.writeString(rc, "poll a\n  user b pass c\n  frobnicate yes\n");

    assertThatThrownBy(() -> FetchmailRcImport.translate(rc, dir, "me"))
        .isInstanceOf(RcSyntaxException.class)
        .hasMessage(rc + ":3: unknown keyword \"frobnicate\"");
    Files.writeString(rc, "poll a user b pass \"never closed\n\n");
    assertThatThrownBy(() -> FetchmailRcImport.translate(rc, dir, "me"))
        .hasMessage(rc + ":1: a string that is never closed (\")");
    Files.writeString(rc, "poll a user b limit lots\n");
    assertThatThrownBy(() -> FetchmailRcImport.translate(rc, dir, "me"))
        .hasMessage(rc + ":1: limit needs a number, got \"lots\"");
  }

  @Test
  void aHugeFileOrTokenIsRefusedWithoutReadingItAll() throws IOException {
    Path rc = dir.resolve("rc");
    Files.writeString(rc, "poll a user b pass \"" + "x".repeat(100_000) + "\"\n");
    assertThatThrownBy(() -> FetchmailRcImport.translate(rc, dir, "me"))
        .hasMessageContaining(":1: a string longer than 8192 characters");
    Files.write(rc, new byte[(int) FetchmailRcImport.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> FetchmailRcImport.translate(rc, dir, "me"))
        .hasMessageContaining("too large");
  }

  @Test
  void controlCharactersFromTheFileNeverReachANoteRaw() throws Exception {
    FetchmailRc rc =
        RcParser.parse("rc", "poll \"evil\\x1b]0;owned\\x07\" user u pass p folder \"\\x1b[2J\"\n");
    Translation t = new RcTranslator("rc", dir, "me", p -> Optional.empty()).translate(rc);

    assertThat(t.notes()).allSatisfy(n -> assertThat(n.text()).doesNotContain("\u001b"));
    assertThat(t.yaml()).doesNotContain("\u001b").doesNotContain("\u0007");
    assertThat(t.yaml().getBytes(StandardCharsets.UTF_8)).doesNotContain((byte) 0x1b);
  }
}
