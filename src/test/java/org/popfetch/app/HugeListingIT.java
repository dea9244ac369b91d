package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.ListingServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;

/**
 * {@code popfetch run} in a JVM with the heap the systemd unit ships (-Xmx128m, SerialGC, and the
 * launcher's young generation and free ratios), next to a server that lists a million messages (a
 * 60 MB UIDL listing) and one whose mailbox is at the listing caps: a healthy account beside them
 * keeps getting its mail, nothing runs out of memory, and SIGTERM stops the service promptly.
 */
class HugeListingIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("healthy", "pw-healthy"),
            TestPki.create("huge").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static String account(String name, int port, String extra, Path maildir) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: none
        user: %1$s
        password: pw-%1$s
        cron: "*/2 * * * * ?"
        deliver: { maildir: %3$s }
    """
            .formatted(name, port, maildir)
        + extra;
  }

  private static long count(Path maildir) throws Exception {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return 0;
    }
    try (var s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  /**
   * The most heap still in use after a full collection, in MB, from the child's GC log: what was
   * live at those moments. (A young collection's figure counts the old generation's garbage too.) 0
   * if the heap never filled up enough for one.
   */
  private static int maxLiveAfterFullGc(Path gcLog) throws Exception {
    Matcher m = Pattern.compile("Pause Full .*->(\\d+)M\\(").matcher(Files.readString(gcLog));
    int max = 0;
    while (m.find()) {
      max = Math.max(max, Integer.parseInt(m.group(1)));
    }
    return max;
  }

  @Test
  void aMillionLineListingNeitherExhaustsTheShippedHeapNorStallsAnotherAccountOrTheStop()
      throws Exception {
    // 1,000,000 UIDL lines of 62 octets: about 60 MB, as the listing that exhausted the heap.
    try (ListingServer huge = new ListingServer(1, 1_000_000, 52, 30);
        ListingServer full = new ListingServer(Pop3Client.MAX_LISTING_ENTRIES, 40, 5000)) {
      Path config = dir.resolve("popfetch.yaml");
      Files.createFile(
          config,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          config,
          "state: { url: \"jdbc:sqlite:"
              + dir.resolve("state.db")
              + "\" }\nparallel: 3\naccounts:\n"
              + account("huge", huge.port(), "", dir.resolve("Maildir-huge"))
              + account("full", full.port(), "    max-size: 1k\n", dir.resolve("Maildir-full"))
              + account("healthy", dovecot.pop3Port(), "", dir.resolve("Maildir-healthy")));
      dovecot.deliver("healthy", Mail.message("healthy-1", 5).getBytes(ISO_8859_1));

      Path gcLog = dir.resolve("gc.log");
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-XX:+UseSerialGC",
              "-Xmx128m",
              "-XX:NewRatio=6",
              "-XX:MinHeapFreeRatio=10",
              "-XX:MaxHeapFreeRatio=30",
              "-Xlog:gc:file=" + gcLog,
              "-cp",
              System.getProperty("java.class.path"),
              Main.class.getName(),
              "run",
              "--config",
              config.toString());
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("run.log").toFile())
              .start();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> count(dir.resolve("Maildir-healthy")) == 1);
        // The full mailbox records at most MAX_SELECTED entries a poll: after six polls the
        // store holds a row for every one of its messages, and each poll loads them all.
        await()
            .atMost(Duration.ofSeconds(150))
            .until(() -> full.listingsSent() >= 6 && huge.sessions() >= 3);

        dovecot.deliver("healthy", Mail.message("healthy-2", 5).getBytes(ISO_8859_1));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> count(dir.resolve("Maildir-healthy")) == 2);

        long stopAsked = System.nanoTime();
        p.destroy();
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("stopped within 15 s of SIGTERM").isTrue();
        System.out.printf(
            "HugeListingIT: stopped %d ms after SIGTERM%n",
            (System.nanoTime() - stopAsked) / 1_000_000);
      } finally {
        p.destroyForcibly();
      }
      Files.copy(
          gcLog, Path.of("target", "HugeListingIT-gc.log"), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          dir.resolve("run.log"),
          Path.of("target", "HugeListingIT-run.log"),
          StandardCopyOption.REPLACE_EXISTING);
      String log = Files.readString(dir.resolve("run.log"));
      assertThat(log).doesNotContain("OutOfMemoryError").contains("popfetch stopped");
      assertThat(log)
          .contains("more than " + Pop3Client.MAX_LISTING_ENTRIES + " lines in answer to UIDL");
      assertThat(huge.deletes() + full.deletes()).isZero();
      int live = maxLiveAfterFullGc(gcLog);
      System.out.printf(
          "HugeListingIT: most heap live after a full collection: %d MB of 128%n", live);
      assertThat(live).as("headroom left in the shipped heap").isLessThan(64);
    }
  }
}
