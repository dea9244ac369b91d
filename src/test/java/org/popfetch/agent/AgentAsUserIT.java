package org.popfetch.agent;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.popfetch.delivery.Identity;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;

/**
 * The agent as a real other user: popfetch (here the test, as root) starts {@code popfetch
 * deliver-agent --stdio} as a throwaway user through setpriv, as {@code poll} from root's crontab
 * does, and the files it writes are that user's with the user's usual modes. Needs root (to add the
 * user) and the packaged jar (target/popfetch.jar, built before the integration tests).
 */
class AgentAsUserIT {
  static final Incoming MESSAGE =
      new Incoming(
          "acct",
          new Envelope("alice@example.org", "me@example.org"),
          TraceHeaders.forFetch(
              "pop.example.org", true, "h", "acct", "me@example.org", Instant.now()));
  static final Path JAR = Path.of("target/popfetch.jar").toAbsolutePath();

  static String user;
  static Path base;
  static Path home;
  static Path spool;

  @BeforeAll
  static void addUser() throws Exception {
    Assumptions.assumeTrue(Identity.isRoot(), "needs root, as CI has");
    Assumptions.assumeTrue(Files.isRegularFile(JAR), "needs the packaged jar");
    user = "pfagent" + ThreadLocalRandom.current().nextInt(10_000, 99_999);
    run(
        "useradd",
        "--system",
        "--user-group",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        user);
    base = Files.createTempDirectory("popfetch-agent-it");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    home = Files.createDirectory(base.resolve("home"));
    Files.setOwner(home, principal(user));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    // A mail spool as Debian has /var/mail: root:mail, 2775.
    spool = Files.createDirectory(base.resolve("mail"));
    Files.getFileAttributeView(spool, PosixFileAttributeView.class).setGroup(group("mail"));
    Files.setAttribute(spool, "unix:mode", 02775);
  }

  @AfterAll
  static void removeUser() throws Exception {
    if (user != null) {
      run("userdel", user);
    }
    if (base != null) {
      try (Stream<Path> s = Files.walk(base)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).inheritIO().start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv)).isZero();
  }

  private static UserPrincipal principal(String name) throws IOException {
    return base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
  }

  private static GroupPrincipal group(String name) throws IOException {
    return base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
  }

  private static AgentConnector agent() throws IOException {
    return ProcessConnector.asUser(
        user,
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-XX:TieredStopAtLevel=1",
            "-jar",
            JAR.toString(),
            "deliver-agent",
            "--stdio"));
  }

  private static PosixFileAttributes attributes(Path p) throws IOException {
    return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
  }

  private static void assertOwned(Path p, String owner, String group, String mode)
      throws IOException {
    PosixFileAttributes a = attributes(p);
    assertThat(a.owner().getName()).as(p + " owner").isEqualTo(owner);
    assertThat(a.group().getName()).as(p + " group").isEqualTo(group);
    assertThat(PosixFilePermissions.toString(a.permissions())).as(p + " mode").isEqualTo(mode);
  }

  private static Destination.Staged stage(Destination d, String text) throws Exception {
    return d.stage(MESSAGE, new ByteArrayInputStream(text.getBytes(ISO_8859_1)));
  }

  @Test
  void aMaildirWrittenByTheAgentIsTheUsersWithTheUsersModes() throws Exception {
    Path maildir = home.resolve("Maildir");
    Destination d =
        AgentDestination.maildir(agent(), user, maildir, "", base.resolve("service-spool"));
    d.commit(
        List.of(
            stage(d, "Subject: one\r\n\r\nbody\r\n"), stage(d, "Subject: two\r\n\r\nbody\r\n")));
    for (String sub : List.of("", "tmp", "new", "cur")) {
      assertOwned(maildir.resolve(sub), user, user, "rwx------");
    }
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      List<Path> files = s.toList();
      assertThat(files).hasSize(2);
      for (Path f : files) {
        assertOwned(f, user, user, "rw-------");
      }
    }
  }

  @Test
  void anMboxInAMailSpoolIsTheUsersInGroupMail0660AndNoLockIsLeft() throws Exception {
    Path mbox = spool.resolve(user);
    Destination d = AgentDestination.mbox(agent(), user, mbox, base.resolve("service-spool"));
    d.commit(List.of(stage(d, "Subject: one\r\n\r\nFrom me\r\n")));
    assertOwned(mbox, user, "mail", "rw-rw----");
    assertThat(Files.readString(mbox, ISO_8859_1))
        .startsWith("From alice@example.org ")
        .contains("\n>From me\n");
    assertThat(spool.resolve(user + ".lock")).doesNotExist();
  }

  @Test
  void whatTheUserCannotWriteTheAgentCannotEither() throws Exception {
    Path rootOnly = Files.createDirectory(base.resolve("root-only"));
    Destination d =
        AgentDestination.maildir(
            agent(), user, rootOnly.resolve("Maildir"), "", base.resolve("service-spool"));
    assertThatThrownBy(() -> stage(d, "Subject: x\r\n\r\nx\r\n"))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.refusal()).isInstanceOf(Outcome.Deferred.class))
        .hasMessageContaining("permission denied");
    assertThat(rootOnly.resolve("Maildir")).doesNotExist();
  }

  @Test
  void theAgentRefusesToRunAsRoot() throws Exception {
    Process p =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                JAR.toString(),
                "deliver-agent",
                "--stdio")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String said = new String(p.getInputStream().readAllBytes(), ISO_8859_1);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(6);
    assertThat(said).contains("refusing to run as root");
  }
}
