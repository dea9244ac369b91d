package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.store.StateLock;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.TestPki;

/** {@code popfetch run}: three accounts on two-second schedules against Dovecot, with metrics. */
class DaemonIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users(
                "d1", "pw-d1", "d2", "pw-d2", "d3", "pw-d3", "r1", "pw-r1", "r2", "pw-r2", "w1",
                "pw-w1", "w2", "pw-w2", "a1", "pw-a1"),
            TestPki.create("daemon").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static long count(Path maildir) throws Exception {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return 0;
    }
    try (var s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pollsEveryAccountOnItsScheduleAndTheMetricsMove() throws Exception {
    // Held until the daemon is done: its metrics server shares the port while it is held, so the
    // port is never free for another program to take between being picked and being bound.
    RefusingPort reserved = new RefusingPort();
    int metricsPort = reserved.port();
    StringBuilder accounts = new StringBuilder();
    for (String u : List.of("d1", "d2", "d3")) {
      dovecot.deliver(u, Mail.message(u + "-first", 5).getBytes(ISO_8859_1));
      accounts.append(
          """
            - name: %1$s
              server: 127.0.0.1
              port: %2$d
              tls: none
              user: %1$s
              password: pw-%1$s
              cron: "*/2 * * * * ?"
              deliver: { maildir: %3$s }
          """
              .formatted(u, dovecot.pop3Port(), dir.resolve("Maildir-" + u)));
    }
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        config,
        "state: { url: \"jdbc:sqlite:"
            + dir.resolve("state.db")
            + "\" }\nmetrics: { listen: \"127.0.0.1:"
            + metricsPort
            + "\" }\naccounts:\n"
            + accounts);

    PopfetchDaemon daemon =
        PopfetchDaemon.start(config, false, new PrintWriter(new StringWriter()));
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  count(dir.resolve("Maildir-d1")) == 1
                      && count(dir.resolve("Maildir-d2")) == 1
                      && count(dir.resolve("Maildir-d3")) == 1);
      // Mail that arrives while the service runs is fetched by the next scheduled poll.
      for (String u : List.of("d1", "d2", "d3")) {
        dovecot.deliver(u, Mail.message(u + "-second", 5).getBytes(ISO_8859_1));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  count(dir.resolve("Maildir-d1")) == 2
                      && count(dir.resolve("Maildir-d2")) == 2
                      && count(dir.resolve("Maildir-d3")) == 2);

      HttpResponse<String> metrics = get(metricsPort, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("popfetch_messages_fetched_total{account=\"d1\"} 2.0")
          .contains(
              "popfetch_deliveries_total{account=\"d1\",destination=\"maildir\",result=\"delivered\"}"
                  + " 2.0")
          .contains("popfetch_polls_total{account=\"d2\",result=\"ok\"}")
          .contains("popfetch_last_success_timestamp_seconds{account=\"d3\"}")
          .contains("jvm_memory_used_bytes");
      assertThat(get(metricsPort, "/health").statusCode()).isEqualTo(200);
      assertThat(StateLock.tryAcquire("jdbc:sqlite:" + dir.resolve("state.db")))
          .as("a second instance is kept out")
          .isEmpty();
    } finally {
      daemon.stop();
      reserved.close();
    }
    var lock = StateLock.tryAcquire("jdbc:sqlite:" + dir.resolve("state.db"));
    assertThat(lock).as("the state is released on stop").isPresent();
    lock.get().close();
    for (String u : List.of("d1", "d2", "d3")) {
      assertThat(dovecot.messageCount(u)).isZero();
    }
  }

  private void writeConfig(Path config, String... users) throws Exception {
    StringBuilder sb =
        new StringBuilder(
            "state: { url: \"jdbc:sqlite:" + dir.resolve("state.db") + "\" }\naccounts:\n");
    for (String u : users) {
      sb.append(
          """
            - name: %1$s
              server: 127.0.0.1
              port: %2$d
              tls: none
              user: %1$s
              password: pw-%1$s
              cron: "*/2 * * * * ?"
              deliver: { maildir: %3$s }
          """
              .formatted(u, dovecot.pop3Port(), dir.resolve("Maildir-" + u)));
    }
    Files.writeString(config, sb);
  }

  @Test
  void reloadAddsAndRemovesAccountsAndKeepsRunningOnABrokenConfig() throws Exception {
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    writeConfig(config, "r1");
    dovecot.deliver("r1", Mail.message("r1-a", 5).getBytes(ISO_8859_1));
    PopfetchDaemon daemon =
        PopfetchDaemon.start(config, false, new PrintWriter(new StringWriter()));
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(dir.resolve("Maildir-r1")) == 1);

      writeConfig(config, "r2"); // r1 removed, r2 added
      assertThat(daemon.reload()).isTrue();
      dovecot.deliver("r1", Mail.message("r1-b", 5).getBytes(ISO_8859_1));
      dovecot.deliver("r2", Mail.message("r2-a", 5).getBytes(ISO_8859_1));
      await().atMost(Duration.ofSeconds(30)).until(() -> count(dir.resolve("Maildir-r2")) == 1);

      Files.writeString(config, "accounts: [ this is not a valid account ]\n");
      assertThat(daemon.reload()).as("a broken configuration is rejected").isFalse();
      dovecot.deliver("r2", Mail.message("r2-b", 5).getBytes(ISO_8859_1));
      await().atMost(Duration.ofSeconds(30)).until(() -> count(dir.resolve("Maildir-r2")) == 2);
      assertThat(dovecot.messageCount("r1"))
          .as("the removed account is no longer polled")
          .isEqualTo(1);
      assertThat(count(dir.resolve("Maildir-r1"))).isEqualTo(1);
    } finally {
      daemon.stop();
    }
  }

  @Test
  void aChangedConfigFileIsReloadedWithoutASignal() throws Exception {
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    writeConfig(config, "w1");
    PopfetchDaemon daemon =
        PopfetchDaemon.start(config, false, new PrintWriter(new StringWriter()));
    try {
      daemon.watchConfig(Duration.ofMillis(100));
      // Saved the way editors and configuration managers save: a new file renamed over the old.
      Path next = dir.resolve("popfetch.yaml.new");
      Files.createFile(
          next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      writeConfig(next, "w1", "w2");
      Files.move(next, config, StandardCopyOption.ATOMIC_MOVE);
      dovecot.deliver("w2", Mail.message("w2-a", 5).getBytes(ISO_8859_1));
      await().atMost(Duration.ofSeconds(30)).until(() -> count(dir.resolve("Maildir-w2")) == 1);
      // The file lands before the DELE and QUIT that follow it.
      await().atMost(Duration.ofSeconds(30)).until(() -> dovecot.messageCount("w2") == 0);
    } finally {
      daemon.stop();
    }
  }

  @Test
  void aRefusedLoginTellsTheMailboxOnceAndLeavesTheMailOnTheServer() throws Exception {
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        config,
        """
        state: { url: "jdbc:sqlite:%1$s" }
        auth-failure-notice: 1
        accounts:
          - name: a1
            server: 127.0.0.1
            port: %2$d
            tls: none
            user: a1
            password: not-the-password
            cron: "*/2 * * * * ?"
            deliver: { maildir: %3$s }
        """
            .formatted(dir.resolve("state.db"), dovecot.pop3Port(), dir.resolve("Maildir-a1")));
    dovecot.deliver("a1", Mail.message("a1-waiting", 5).getBytes(ISO_8859_1));
    PopfetchDaemon daemon =
        PopfetchDaemon.start(config, false, new PrintWriter(new StringWriter()));
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> count(dir.resolve("Maildir-a1")) == 1);
      Path notice;
      try (var s = Files.list(dir.resolve("Maildir-a1/new"))) {
        notice = s.findFirst().orElseThrow();
      }
      assertThat(Files.readString(notice, ISO_8859_1))
          .contains(
              "Subject: popfetch: login refused for a1", "a1 at 127.0.0.1:" + dovecot.pop3Port())
          .doesNotContain("not-the-password");
      assertThat(dovecot.messageCount("a1"))
          .as("the waiting mail stays on the server")
          .isEqualTo(1);
    } finally {
      daemon.stop();
    }
  }
}
