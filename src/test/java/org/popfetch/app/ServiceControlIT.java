package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.AiosmtpdServer;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * The running service commanded through its control socket, against Dovecot and aiosmtpd: {@code
 * poll} polls now, {@code queue flush} sends what waits once the smarthost is back, {@code reload}
 * takes a good file and refuses a broken one, {@code status} tells what happened; none of them is
 * refused with status 8.
 */
class ServiceControlIT {
  /** Never within the test: every poll is one asked for. */
  private static final String NEVER = "0 0 0 1 1 ? 2099";

  static DovecotServer dovecot;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    dovecot =
        DovecotServer.start(
            DovecotServer.users("sc1", "pw-sc1", "sc2", "pw-sc2", "sc3", "pw-sc3"),
            TestPki.create("control").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  private static String account(String user, String deliver) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: none
        user: %1$s
        password: pw-%1$s
        cron: "%3$s"
        deliver: %4$s
    """
        .formatted(user, dovecot.pop3Port(), NEVER, deliver);
  }

  private static long count(Path maildir) throws Exception {
    if (!Files.isDirectory(maildir.resolve("new"))) {
      return 0;
    }
    try (Stream<Path> s = Files.list(maildir.resolve("new"))) {
      return s.count();
    }
  }

  @Test
  void pollFlushReloadAndStatusAreDoneByTheRunningService() throws Exception {
    try (RefusingPort smarthost = new RefusingPort()) {
      Path file = dir.resolve("popfetch.yaml");
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      String head =
          "state: { url: \"jdbc:sqlite:%s\" }\naccounts:\n".formatted(dir.resolve("state.db"));
      String two =
          head
              + account("sc1", "{ maildir: " + dir.resolve("sc1") + " }")
              + account(
                  "sc2",
                  "{ smtp: { host: 127.0.0.1, port: %d, to: [bob@example.org] } }"
                      .formatted(smarthost.port()));
      Files.writeString(file, two);
      dovecot.deliver("sc1", Mail.message("sc1-a", 3).getBytes(ISO_8859_1));
      dovecot.deliver("sc1", Mail.message("sc1-b", 3).getBytes(ISO_8859_1));
      dovecot.deliver("sc2", Mail.message("sc2-a", 3).getBytes(ISO_8859_1));

      PopfetchDaemon daemon =
          PopfetchDaemon.start(file, false, new PrintWriter(new StringWriter()));
      try {
        Run poll = popfetch("poll", "--config", file.toString());
        assertThat(poll.status()).as(poll.err()).isZero();
        assertThat(poll.out())
            .contains("sc1: 2 on server, 2 fetched")
            .contains("sc2: 1 on server, 1 fetched");
        assertThat(count(dir.resolve("sc1"))).isEqualTo(2);

        // The smarthost refuses: the forwarded message waits in the queue.
        Run deferred = popfetch("queue", "flush", "--config", file.toString());
        assertThat(deferred.status()).as(deferred.err()).isZero();
        assertThat(deferred.out()).contains("0 delivered, 1 deferred, 0 bounced");

        try (AiosmtpdServer smtp =
            AiosmtpdServer.start(Files.createDirectories(dir.resolve("smtp")), smarthost.port())) {
          Run flushed = popfetch("queue", "flush", "--config", file.toString());
          assertThat(flushed.status()).as(flushed.err()).isZero();
          assertThat(flushed.out()).contains("1 delivered, 0 deferred, 0 bounced");
          assertThat(count(smtp.maildir())).isEqualTo(1);
        }

        Files.writeString(file, two + account("sc3", "{ maildir: " + dir.resolve("sc3") + " }"));
        Run reload = popfetch("reload", "--config", file.toString());
        assertThat(reload.status()).as(reload.err()).isZero();
        assertThat(reload.out()).contains("configuration reloaded: 3 account(s)");
        dovecot.deliver("sc3", Mail.message("sc3-a", 3).getBytes(ISO_8859_1));
        Run poll3 = popfetch("poll", "--config", file.toString(), "sc3");
        assertThat(poll3.status()).as(poll3.err()).isZero();
        assertThat(count(dir.resolve("sc3"))).isEqualTo(1);

        String good = Files.readString(file);
        Files.writeString(file, good.replace("port: " + dovecot.pop3Port(), "port: 70000"));
        Run refused = popfetch("reload", "--config", file.toString());
        assertThat(refused.status()).isEqualTo(ExitStatus.SYNTAX.code);
        assertThat(refused.err()).contains(file + ":").contains("port");
        Files.writeString(file, good);

        dovecot.deliver("sc1", Mail.message("sc1-c", 3).getBytes(ISO_8859_1));
        Run after = popfetch("poll", "--config", file.toString(), "sc1");
        assertThat(after.status()).as("the running configuration polls on").isZero();
        assertThat(count(dir.resolve("sc1"))).isEqualTo(3);

        Run status = popfetch("status", "--config", file.toString());
        assertThat(status.out())
            .contains("sc1")
            .contains("sc2")
            .contains("sc3")
            .contains("queue: 0 message(s)");
      } finally {
        daemon.stop();
      }
      assertThat(dir.resolve("control.sock")).as("removed at stop").doesNotExist();
    }
  }
}
