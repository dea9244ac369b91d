package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.PollResult;

/**
 * The running service sets an account's Maildir up once, not at every poll (the sweep of tmp/ runs
 * then), and still makes a Maildir removed between polls again before delivering into it.
 */
class ServiceMaildirKeptTest {
  /** A cron that does not fire while the test runs: every poll is one asked for. */
  private static final String NEVER = "0 0 0 1 1 ? 2099";

  @TempDir Path dir;
  private GreenMail greenMail;
  private GreenMailUser alice;
  private PopfetchDaemon daemon;
  private Path maildir;

  @BeforeEach
  void start() throws Exception {
    greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort());
    greenMail.start();
    alice = greenMail.setUser("alice@example.org", "alice", "pw-alice");
    maildir = dir.resolve("alice");
    Path file = dir.resolve("popfetch.yaml");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        accounts:
          - name: alice
            server: 127.0.0.1
            port: %d
            tls: none
            user: alice
            password: pw-alice
            keep: true
            cron: "%s"
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state.db"), greenMail.getPop3().getPort(), NEVER, maildir));
    daemon = PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.stop();
    }
    greenMail.stop();
  }

  private PollResult poll() throws Exception {
    List<PollResult> results = daemon.jobs().pollNow(List.of());
    assertThat(results).hasSize(1);
    assertThat(results.get(0).failure()).isEmpty();
    return results.get(0);
  }

  private void deliver(String subject) throws Exception {
    alice.deliver(
        GreenMailUtil.newMimeMessage(
            "From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n"));
  }

  private long delivered() throws Exception {
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  @Test
  void anEmptyPollLeavesTheMaildirAsItWasAndTheNextPollDeliversIntoIt() throws Exception {
    deliver("first");
    assertThat(poll().fetched()).isEqualTo(1);
    // A crash's leftover: only setting the Maildir up again sweeps it, so the polls that follow
    // within the hour (empty or not) leave it, as they leave everything else there.
    Path stale = Files.writeString(maildir.resolve("tmp").resolve("1700000000.M1P1Q1.host"), "x");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(48))));

    assertThat(poll().fetched()).isZero();
    deliver("second");
    assertThat(poll().fetched()).isEqualTo(1);

    assertThat(stale).exists();
    assertThat(delivered()).isEqualTo(2);
  }

  @Test
  void aMaildirRemovedBetweenPollsIsMadeAgainAndNothingIsLost() throws Exception {
    deliver("first");
    assertThat(poll().fetched()).isEqualTo(1);
    try (Stream<Path> all = Files.walk(maildir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    deliver("second");

    assertThat(poll().fetched()).isEqualTo(1);
    assertThat(delivered()).isEqualTo(1);
    assertThat(maildir.resolve("cur")).isDirectory();
    assertThat(maildir.resolve("tmp")).isDirectory();
  }
}
