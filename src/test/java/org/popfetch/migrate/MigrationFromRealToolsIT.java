package org.popfetch.migrate;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.popfetch.app.Main;
import org.popfetch.testing.Command;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * Switching from the real tools (Debian's fetchmail, mpop and getmail6) without fetching again:
 * each polls its own Dovecot mailbox in keep mode, as an unprivileged user (fetchmail warns about
 * root), on 127.0.0.1; {@code popfetch import seen} reads what they left; the first {@code popfetch
 * poll} fetches nothing; a new message is then fetched, and only it.
 */
class MigrationFromRealToolsIT {
  private static final String TOOL_USER = "nobody";
  private static final int OLD = 3;

  private DovecotServer dovecot;
  private Path base;
  private UserPrincipal toolUser;
  private GroupPrincipal toolGroup;

  @BeforeEach
  void start() throws Exception {
    for (String tool : List.of("/usr/bin/fetchmail", "/usr/bin/mpop", "/usr/bin/getmail")) {
      assertThat(Path.of(tool))
          .as(
              "%s: run mvn verify (its pre-integration-test step installs fetchmail, mpop and"
                  + " getmail6) or apt-get install them",
              tool)
          .isExecutable();
    }
    TestPki pki = TestPki.create("popfetch migration test CA");
    dovecot =
        DovecotServer.start(
            DovecotServer.users("fm", "pw-fm", "mp", "pw-mp", "gm", "pw-gm"),
            pki.issue("127.0.0.1"));
    // Not a JUnit @TempDir: the tools' user must be able to reach its directories.
    base =
        Files.createTempDirectory(
            "popfetch-migration-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    UserPrincipalLookupService lookup = base.getFileSystem().getUserPrincipalLookupService();
    toolUser = lookup.lookupPrincipalByName(TOOL_USER);
    toolGroup = lookup.lookupPrincipalByGroupName("nogroup");
    for (String user : List.of("fm", "mp", "gm")) {
      for (int i = 1; i <= OLD; i++) {
        // Over 1 KiB: the other tools keep no sizes, and a size taken for 0 must not make a
        // kept message look like a new one under a reused UID.
        dovecot.deliver(user, Mail.message(user + "-old-" + i, 200).getBytes(ISO_8859_1));
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
    if (base != null) {
      try (Stream<Path> walk = Files.walk(base)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** A directory of the tool user's own, mode 0700. */
  private Path toolDir(String name) throws IOException {
    Path dir = Files.createDirectories(base.resolve(name));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    own(dir);
    return dir;
  }

  /** A file of the tool user's own, mode 0600 (the tools refuse configurations others can read). */
  private Path toolFile(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    own(file);
    return file;
  }

  private Path toolMaildir(Path parent) throws IOException {
    Path maildir = parent.resolve("Maildir");
    for (String sub : List.of("tmp", "new", "cur")) {
      own(Files.createDirectories(maildir.resolve(sub)));
    }
    own(maildir);
    return maildir;
  }

  private void own(Path p) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(toolUser);
    view.setGroup(toolGroup);
  }

  /** Runs a tool as the unprivileged user, with its own HOME. */
  private Command asToolUser(Path home, String... argv) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=" + TOOL_USER,
                "--regid=nogroup",
                "--clear-groups",
                "--"));
    command.addAll(List.of(argv));
    return Command.run(
        command,
        Map.of(
            "PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME", home.toString(),
            "LC_ALL", "C.UTF-8"));
  }

  private static long count(Path maildir) throws IOException {
    long n = 0;
    for (String sub : List.of("new", "cur")) {
      if (Files.isDirectory(maildir.resolve(sub))) {
        try (Stream<Path> files = Files.list(maildir.resolve(sub))) {
          n += files.count();
        }
      }
    }
    return n;
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  void afterFetchmailMpopAndGetmailKeptTheirMailPopfetchFetchesOnlyWhatIsNew() throws Exception {
    int port = dovecot.pop3Port();

    // fetchmail 6.4, keep mode, plain POP3 on loopback (sslproto '' says no TLS), delivering to a
    // file through its mda; it remembers what it kept in the id file.
    Path fm = toolDir("fetchmail");
    Path fetchmailrc =
        toolFile(
            fm.resolve("fetchmailrc"),
            """
            set no syslog
            poll 127.0.0.1 proto pop3 port %d
              user "fm" there with password "pw-fm" is nobody here
              keep sslproto ''
              mda "/bin/cat >> %s"
            """
                .formatted(port, fm.resolve("delivered")));
    Path fetchids = fm.resolve(".fetchids");
    Command fetchmail =
        asToolUser(
            fm, "/usr/bin/fetchmail", "-f", fetchmailrc.toString(), "-i", fetchids.toString());
    assertThat(fetchmail.status()).as(fetchmail.out() + fetchmail.err()).isZero();
    assertThat(fetchids).isRegularFile();

    // mpop 1.4, keep on, into a Maildir; its UIDL files go to ~/.mpop_uidls as by default.
    Path mp = toolDir("mpop");
    Path uidls = toolDir("mpop/.mpop_uidls");
    Path mpopMaildir = toolMaildir(mp);
    Path mpoprc =
        toolFile(
            mp.resolve("mpoprc"),
            """
            account default
            host 127.0.0.1
            port %d
            user mp
            password pw-mp
            tls off
            auth user
            keep on
            uidls_file %s/%%U_at_%%H
            delivery maildir %s
            """
                .formatted(port, uidls, mpopMaildir));
    Command mpop = asToolUser(mp, "/usr/bin/mpop", "-C", mpoprc.toString(), "--all-accounts");
    assertThat(mpop.status()).as(mpop.out() + mpop.err()).isZero();
    assertThat(count(mpopMaildir)).isEqualTo(OLD);

    // getmail6, delete = false, into a Maildir; its oldmail file goes into its getmail directory.
    Path gm = toolDir("getmail");
    Path getmailMaildir = toolMaildir(gm);
    toolFile(
        gm.resolve("getmailrc"),
        """
        [retriever]
        type = SimplePOP3Retriever
        server = 127.0.0.1
        port = %d
        username = gm
        password = pw-gm

        [destination]
        type = Maildir
        path = %s/

        [options]
        delete = false
        read_all = false
        """
            .formatted(port, getmailMaildir));
    Command getmail =
        asToolUser(gm, "/usr/bin/getmail", "--getmaildir", gm.toString(), "--rcfile", "getmailrc");
    assertThat(getmail.status()).as(getmail.out() + getmail.err()).isZero();
    assertThat(count(getmailMaildir)).isEqualTo(OLD);

    // popfetch, configured for the same three mailboxes, in keep mode.
    Path pf = Files.createDirectories(base.resolve("popfetch"));
    StringBuilder yaml =
        new StringBuilder("state: { url: \"jdbc:sqlite:" + pf.resolve("state.db") + "\" }\n");
    yaml.append("accounts:\n");
    for (String user : List.of("fm", "mp", "gm")) {
      yaml.append(
          """
            - name: from-%1$s
              server: 127.0.0.1
              port: %2$d
              tls: none
              user: %1$s
              password: pw-%1$s
              keep: true
              deliver: { maildir: %3$s }
          """
              .formatted(user, port, pf.resolve("Maildir-" + user)));
    }
    Path config = pf.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(config, yaml);

    Run imported =
        popfetch(
            "import",
            "seen",
            "--config",
            config.toString(),
            fetchids.toString(),
            uidls.toString(),
            gm.toString());
    assertThat(imported.status()).as(imported.out() + imported.err()).isZero();
    assertThat(imported.out())
        .contains("from-fm: " + OLD + " imported, 0 already known")
        .contains("from-mp: " + OLD + " imported, 0 already known")
        .contains("from-gm: " + OLD + " imported, 0 already known");

    // The first poll fetches nothing old: status 1, "no new mail", empty Maildirs.
    Run first = popfetch("poll", "--quiet", "--config", config.toString());
    assertThat(first.status()).as(first.err()).isEqualTo(1);
    for (String user : List.of("fm", "mp", "gm")) {
      assertThat(count(pf.resolve("Maildir-" + user))).as(user).isZero();
    }

    // A new message on each server is fetched, and only it; everything stays on the server.
    for (String user : List.of("fm", "mp", "gm")) {
      dovecot.deliver(user, Mail.message(user + "-new", 30).getBytes(ISO_8859_1));
    }
    Run second = popfetch("poll", "--quiet", "--config", config.toString());
    assertThat(second.status()).as(second.err()).isZero();
    for (String user : List.of("fm", "mp", "gm")) {
      Path maildir = pf.resolve("Maildir-" + user);
      assertThat(count(maildir)).as(user).isEqualTo(1);
      try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
        assertThat(Files.readString(files.findFirst().orElseThrow(), ISO_8859_1))
            .contains(user + "-new");
      }
      assertThat(dovecot.messageCount(user)).isEqualTo(OLD + 1);
    }

    // Importing again changes nothing.
    Run again =
        popfetch(
            "import",
            "seen",
            "--config",
            config.toString(),
            fetchids.toString(),
            uidls.toString(),
            gm.toString());
    assertThat(again.out()).contains("from-fm: 0 imported, " + OLD + " already known");
  }
}
