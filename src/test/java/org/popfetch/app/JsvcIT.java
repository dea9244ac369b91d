package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;

/** The packaged jar under Apache Commons Daemon's jsvc (Debian package jsvc): start, poll, stop. */
class JsvcIT {
  @TempDir static Path shared;
  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("jsvc", "pw-jsvc"), TestPki.create("jsvc").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private List<String> jsvc(String... extra) {
    List<String> c =
        new ArrayList<>(
            List.of(
                "/usr/bin/jsvc",
                "-home",
                System.getProperty("java.home"),
                "-cp",
                Path.of("target", "popfetch.jar").toAbsolutePath().toString(),
                "-pidfile",
                dir.resolve("pid").toString(),
                "-outfile",
                dir.resolve("out").toString(),
                "-errfile",
                dir.resolve("err").toString()));
    c.addAll(List.of(extra));
    return c;
  }

  @Test
  void jsvcStartsPollsAndStopsTheService() throws Exception {
    dovecot.deliver("jsvc", Mail.message("jsvc-1", 5).getBytes(ISO_8859_1));
    Path config = dir.resolve("popfetch.yaml");
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        config,
        """
        state: { url: "jdbc:sqlite:%s" }
        accounts:
          - name: jsvc
            server: 127.0.0.1
            port: %d
            tls: none
            user: jsvc
            password: pw-jsvc
            cron: "*/2 * * * * ?"
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state.db"), dovecot.pop3Port(), dir.resolve("Maildir")));
    List<String> start = jsvc(PopfetchJsvc.class.getName(), "--config", config.toString());
    Process p = new ProcessBuilder(start).inheritIO().start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("jsvc start").isZero();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Mail.idsIn(dir.resolve("Maildir")).contains("jsvc-1"));
    } finally {
      List<String> stop = jsvc("-stop", PopfetchJsvc.class.getName());
      Process s = new ProcessBuilder(stop).inheritIO().start();
      assertThat(s.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(s.exitValue()).as("jsvc -stop").isZero();
    }
    assertThat(Files.readString(dir.resolve("err")))
        .contains("popfetch running")
        .contains("popfetch stopped");
    assertThat(dovecot.messageCount("jsvc")).isZero();
  }
}
