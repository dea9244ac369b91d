package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;

/**
 * A user who owns the directory a Maildir lives in can plant symbolic links in it: as the Maildir,
 * as tmp/, new/ or cur/, as a folder. popfetch, perhaps running as root, must write, create, hand
 * over and clean up nothing through them. The tests run as root (as in CI, the "user" is nobody)
 * and as anyone else (the "user" is anybody who can write a 0777 directory).
 */
class MaildirLinksTest {
  @TempDir Path dir;

  /** A home directory a hostile user controls. */
  Path home;

  /** A directory popfetch must never write into: /etc, /var, / in real life. */
  Path victim;

  @BeforeEach
  void hostileHome() throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    home = Files.createDirectory(dir.resolve("home"));
    if (Identity.isRoot()) {
      Files.setOwner(home, nobody());
    } else {
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    victim = Files.createDirectory(dir.resolve("victim"));
  }

  private UserPrincipal nobody() throws IOException {
    return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
  }

  private static InputStream wire(String s) {
    return new ByteArrayInputStream(s.getBytes(ISO_8859_1));
  }

  private static List<Path> everything(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      return s.filter(p -> !p.equals(d)).toList();
    }
  }

  private static void deliver(Destination d) throws DeliveryException {
    d.commit(
        List.of(d.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: secret\r\n\r\nx\r\n"))));
  }

  private static void assertRefused(ThrowableAssertCall call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.refusal())
                  .as("needs an admin: not a passing trouble")
                  .isInstanceOf(Outcome.Rejected.class);
              assertThat(((Outcome.Rejected) e.refusal()).rescued())
                  .as("nothing for the quarantine: the mail stays on the server")
                  .isEmpty();
              assertThat(e.getMessage()).contains("symbolic link");
            });
  }

  interface ThrowableAssertCall {
    void run() throws Exception;
  }

  @Test
  void aMaildirThatIsALinkIsRefusedAndNothingIsCreatedWhereItPoints() throws Exception {
    Path maildir = Files.createSymbolicLink(home.resolve("Maildir"), victim);

    assertRefused(() -> new MaildirDestination(maildir, "h"));

    assertThat(everything(victim)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tmp", "new", "cur"})
  void aMaildirWhoseSubdirectoryIsALinkIsRefused(String sub) throws Exception {
    Path maildir = Files.createDirectory(home.resolve("Maildir"));
    for (String s : List.of("tmp", "new", "cur")) {
      if (s.equals(sub)) {
        Files.createSymbolicLink(maildir.resolve(s), victim);
      } else {
        Files.createDirectory(maildir.resolve(s));
      }
    }

    assertRefused(() -> deliver(new MaildirDestination(maildir, "h")));

    assertThat(everything(victim)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Maildir", "tmp", "new"})
  void aLinkPlantedAfterTheMaildirWasOpenedIsRefusedAtDelivery(String swapped) throws Exception {
    Path maildir = home.resolve("Maildir");
    MaildirDestination destination = new MaildirDestination(maildir, "h");
    Path at = swapped.equals("Maildir") ? maildir : maildir.resolve(swapped);
    Files.move(at, dir.resolve("moved-away"));
    Files.createSymbolicLink(at, victim);
    if (swapped.equals("Maildir")) {
      for (String s : List.of("tmp", "new", "cur")) {
        Files.createDirectory(victim.resolve(s));
      }
    }

    assertRefused(() -> deliver(destination));

    try (Stream<Path> s = Files.walk(victim)) {
      assertThat(s.filter(Files::isRegularFile).toList())
          .as("no message written where the link points")
          .isEmpty();
    }
  }

  @Test
  void aLinkSwappedInMidBatchGetsNothingTheBatchGoesWhereItStarted() throws Exception {
    Path maildir = home.resolve("Maildir");
    MaildirDestination destination = new MaildirDestination(maildir, "h");
    Destination.Staged staged =
        destination.stage(Incoming.of(TraceHeaders.NONE), wire("Subject: 1\r\n\r\nx\r\n"));
    Path movedAway = Files.move(maildir.resolve("new"), maildir.resolve("new.moved"));
    Files.createSymbolicLink(maildir.resolve("new"), victim);

    destination.commit(List.of(staged));

    assertThat(everything(victim)).isEmpty();
    assertThat(everything(movedAway)).hasSize(1);
  }

  @Test
  void aFolderThatIsALinkIsRefused() throws Exception {
    Path maildir = home.resolve("Maildir");
    MaildirDestination inbox = new MaildirDestination(maildir, "h");
    Files.createSymbolicLink(maildir.resolve(".Lists"), victim);
    RoutedDestination routed =
        new RoutedDestination(
            List.of(
                new RoutedDestination.Rule(
                    new FieldMatch(FieldMatch.Source.HEADER, "subject", FieldMatch.Kind.GLOB, "*"),
                    List.of(new RoutedDestination.Target.Folder(maildir, "Lists")))),
            inbox,
            dir.resolve("spool"),
            "h");
    String wire = "Subject: for the list\r\n\r\nx\r\n";
    HeaderFields header = HeaderFields.read(wire(wire)).header();
    Incoming incoming =
        new Incoming(
            "a", new Envelope("s@example.org", "r@example.org"), TraceHeaders.NONE, header);

    assertRefused(() -> routed.commit(List.of(routed.stage(incoming, wire(wire)))));

    assertThat(everything(victim))
        .as("no tmp/new/cur, no maildirfolder marker, no message")
        .isEmpty();
  }

  @Test
  void staleTmpCleanupNeverDeletesThroughALink() throws Exception {
    Path precious = Files.writeString(victim.resolve("1700000000.M1P1Q1.host"), "not ours");
    Files.setLastModifiedTime(precious, FileTime.from(Instant.now().minus(Duration.ofDays(30))));
    Path maildir = Files.createDirectory(home.resolve("Maildir"));
    Files.createDirectory(maildir.resolve("new"));
    Files.createDirectory(maildir.resolve("cur"));
    Files.createSymbolicLink(maildir.resolve("tmp"), victim);

    Throwable refusal = Assertions.catchThrowable(() -> new MaildirDestination(maildir, "h"));

    assertThat(precious).exists();
    assertRefused(
        () -> {
          if (refusal != null) {
            throw (Exception) refusal;
          }
        });
  }

  @Test
  void staleTmpCleanupRemovesOnlyOldDeliveryLeftovers() throws Exception {
    Path maildir = home.resolve("Maildir");
    new MaildirDestination(maildir, "h");
    Instant old = Instant.now().minus(Duration.ofDays(2));
    Path leftover = Files.writeString(maildir.resolve("tmp/1700000000.M1P1Q1.host"), "crashed");
    Path fresh = Files.writeString(maildir.resolve("tmp/1700000001.M1P1Q2.host"), "being written");
    Path stranger = Files.writeString(maildir.resolve("tmp/notes.txt"), "not a delivery");
    Path target = Files.writeString(victim.resolve("1700000000.M9P9Q9.host"), "elsewhere");
    Path link = Files.createSymbolicLink(maildir.resolve("tmp/1700000002.M1P1Q3.host"), target);
    for (Path p : List.of(leftover, stranger, target)) {
      Files.setLastModifiedTime(p, FileTime.from(old));
    }

    new MaildirDestination(maildir, "h");

    assertThat(leftover).doesNotExist();
    assertThat(fresh).exists();
    assertThat(stranger).exists();
    assertThat(target).exists();
    assertThat(link).isSymbolicLink();
  }

  @Test
  void anAdminsOwnLinkAboveTheMaildirIsFollowed() throws Exception {
    // /home -> /srv/home, say: a link only root (or popfetch's user) could have made.
    Path real = Files.createDirectories(dir.resolve("srv/alice"));
    Path link = Files.createSymbolicLink(dir.resolve("alice"), real);
    MaildirDestination destination = new MaildirDestination(link.resolve("Maildir"), "h");

    deliver(destination);

    try (Stream<Path> s = Files.list(real.resolve("Maildir/new"))) {
      assertThat(s.count()).isEqualTo(1);
    }
  }

  @Test
  void asRootTheOwnerComesFromTheMaildirItselfNotFromWhereItsLinkLives() throws Exception {
    Assumptions.assumeTrue(Identity.isRoot(), "needs root, as CI has");
    // The admin's link (in root's own directory) leads to a Maildir that nobody owns.
    Path real = Files.createDirectories(dir.resolve("srv/Maildir"));
    Files.setOwner(real, nobody());
    Path link = Files.createSymbolicLink(dir.resolve("Maildir"), real);

    deliver(new MaildirDestination(link, "h"));

    for (Path p : everything(real)) {
      assertThat(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isEqualTo(nobody());
    }
    assertThat(everything(real))
        .anySatisfy(p -> assertThat(p.getParent().getFileName()).hasToString("new"));
  }

  @Test
  void asRootNothingIsHandedToTheUserWhoPlantedTheLink() throws Exception {
    Assumptions.assumeTrue(Identity.isRoot(), "needs root, as CI has");
    Files.createSymbolicLink(home.resolve("Maildir"), victim);

    assertRefused(() -> new MaildirDestination(home.resolve("Maildir"), "h"));

    assertThat(Files.getOwner(victim)).isNotEqualTo(nobody());
    assertThat(everything(victim)).isEmpty();
  }
}
