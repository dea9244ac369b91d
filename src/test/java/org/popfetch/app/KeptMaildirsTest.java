package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.testing.TestClock;

/**
 * The service keeps an account's Maildir and the quarantine from one poll to the next, and sets
 * them up again (making what is missing, sweeping tmp/) whenever keeping them could be wrong.
 */
class KeptMaildirsTest {
  /** A clock the test moves. */
  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
  private Path maildir;
  private PopfetchConfig config;
  private KeptMaildirs kept;

  @BeforeEach
  void setUp() throws Exception {
    maildir = dir.resolve("Maildir");
    config =
        ConfigLoader.parse(
            dir.resolve("popfetch.yaml"),
            """
            state: { url: "jdbc:sqlite:%s" }
            accounts:
              - name: carol
                server: 127.0.0.1
                port: 110
                tls: none
                user: carol
                password: pw
                deliver: { maildir: %s }
            """
                .formatted(dir.resolve("state/seen.db"), maildir),
            false);
    kept = new KeptMaildirs(config.accounts().get(0), config, null, "host.example", clock);
  }

  private static final PollResult OK = new PollResult("carol", 0, 0, 0, 0, 0, 0, Optional.empty());

  /** A tmp/ file as a crash between write and rename leaves it, two days old. */
  private Path staleTmpFile(Path root) throws Exception {
    Path f = Files.writeString(root.resolve("tmp").resolve("1700000000.M1P1Q1.host"), "x");
    Files.setLastModifiedTime(f, FileTime.from(clock.instant().minus(Duration.ofHours(48))));
    return f;
  }

  @Test
  void aSoundMaildirIsKeptBetweenPollsAndItsTmpSweptOnlyWhenSetUpAgain() throws Exception {
    var first = kept.destination();
    var quarantine = kept.quarantine();
    kept.ended(OK);
    Path stale = staleTmpFile(maildir);
    Path staleHeld = staleTmpFile(config.quarantine());

    clock.advance(KeptMaildirs.RENEW.minusSeconds(1));
    assertThat(kept.destination()).isSameAs(first);
    assertThat(kept.quarantine()).isSameAs(quarantine);
    kept.ended(OK);
    assertThat(stale).exists();
    assertThat(staleHeld).exists();

    clock.advance(Duration.ofSeconds(1));
    assertThat(kept.destination()).isNotSameAs(first);
    assertThat(kept.quarantine()).isNotSameAs(quarantine);
    assertThat(stale).doesNotExist();
    assertThat(staleHeld).doesNotExist();
  }

  @Test
  void aMaildirRemovedSinceTheLastPollIsMadeAgain() throws Exception {
    var first = kept.destination();
    kept.quarantine();
    kept.ended(OK);
    delete(maildir);
    delete(config.quarantine());

    assertThat(kept.destination()).isNotSameAs(first);
    kept.quarantine();
    for (String sub : new String[] {"tmp", "new", "cur"}) {
      assertThat(maildir.resolve(sub)).isDirectory();
      assertThat(config.quarantine().resolve(sub)).isDirectory();
    }
  }

  @Test
  void aMaildirWhoseTmpBecameALinkIsSetUpAgainAndRefused() throws Exception {
    kept.destination();
    kept.ended(OK);
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    delete(maildir.resolve("tmp"));
    Files.createSymbolicLink(maildir.resolve("tmp"), elsewhere);

    assertThatThrownBy(kept::destination)
        .isInstanceOf(DeliveryException.class)
        .hasMessageContaining("refusing to deliver to maildir");
  }

  @Test
  void afterAPollThatFailedOrThrewBothAreSetUpAgain() throws Exception {
    var first = kept.destination();
    var quarantine = kept.quarantine();
    kept.ended(
        new PollResult(
            "carol",
            1,
            0,
            0,
            0,
            0,
            0,
            Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, "disk full"))));
    Path stale = staleTmpFile(maildir);
    assertThat(kept.destination()).isNotSameAs(first);
    assertThat(kept.quarantine()).isNotSameAs(quarantine);
    assertThat(stale).doesNotExist();

    var second = kept.destination();
    kept.ended(null);
    assertThat(kept.destination()).isNotSameAs(second);
  }

  private static void delete(Path root) throws Exception {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
