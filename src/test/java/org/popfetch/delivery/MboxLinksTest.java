package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Incoming;
import org.popfetch.fetch.Outcome;
import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;

/** A link on the way to an mbox, planted by the user who owns a directory above it. */
class MboxLinksTest {
  @TempDir Path dir;
  Path home;
  Path victim;

  @BeforeEach
  void hostileHome() throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    home = Files.createDirectory(dir.resolve("home"));
    if (Identity.isRoot()) {
      Files.setOwner(
          home,
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    } else {
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    victim = Files.createDirectory(dir.resolve("victim"));
  }

  private static void deliver(MboxDestination mbox) throws Exception {
    Incoming incoming =
        new Incoming("acct", new Envelope("a@b", "me@example.org"), TraceHeaders.NONE);
    mbox.commit(
        List.of(
            mbox.stage(
                incoming,
                new ByteArrayInputStream("Subject: x\r\n\r\nx\r\n".getBytes(ISO_8859_1)))));
  }

  private List<Path> victimFiles() throws IOException {
    try (Stream<Path> s = Files.list(victim)) {
      return s.toList();
    }
  }

  @Test
  void aLinkedDirectoryAboveTheMboxIsRefused() throws Exception {
    Files.createSymbolicLink(home.resolve("mail"), victim);

    assertThatThrownBy(
            () -> deliver(new MboxDestination(home.resolve("mail/inbox"), dir.resolve("spool"))))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.getMessage()).contains("symbolic link");
              assertThat(e.refusal()).isInstanceOf(Outcome.Rejected.class);
            });
    assertThat(victimFiles()).as("no mbox, no dotlock made where the link points").isEmpty();
  }

  @Test
  void aLinkSwappedInAfterTheDestinationWasMadeIsRefusedAtCommit() throws Exception {
    Files.createDirectory(home.resolve("mail"));
    MboxDestination mbox = new MboxDestination(home.resolve("mail/inbox"), dir.resolve("spool"));
    Files.delete(home.resolve("mail"));
    Files.createSymbolicLink(home.resolve("mail"), victim);

    assertThatThrownBy(() -> deliver(mbox))
        .isInstanceOf(DeliveryException.class)
        .hasMessageContaining("symbolic link");
    assertThat(victimFiles()).isEmpty();
  }
}
