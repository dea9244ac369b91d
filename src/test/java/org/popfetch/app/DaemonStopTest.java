package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.ScriptedServer;

/** Stopping the service while a server holds a poll on a body that never ends. */
class DaemonStopTest {
  @TempDir Path dir;

  @Test
  void stopEndsAPollStuckOnATricklingBodyPromptlyAndDeliversNothingOfIt() throws Exception {
    CountDownLatch trickling = new CountDownLatch(1);
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              c.send("+OK ready");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
              c.expect("USER stopper");
              c.send("+OK");
              c.expect("PASS pw-stopper");
              c.send("+OK");
              c.expect("CAPA");
              c.send("+OK", "USER", "UIDL", "PIPELINING", ".");
              c.expect("LIST");
              c.send("+OK", "1 81", ".");
              c.expect("UIDL");
              c.send("+OK", "1 slow-1", ".");
              c.expect("RETR 1");
              OutputStream out = c.output();
              try {
                out.write("+OK 81 octets\r\nSubject: slow\r\n\r\n".getBytes(ISO_8859_1));
                out.flush();
                trickling.countDown();
                byte[] some = "x".repeat(64).getBytes(ISO_8859_1);
                while (true) { // well above the minimum rate, and never an end
                  out.write(some);
                  out.flush();
                  Thread.sleep(20); // the server's pace under test, not test timing
                }
              } catch (IOException e) {
                // the client hung up: expected
              }
            })) {
      Path config = dir.resolve("popfetch.yaml");
      Files.createFile(
          config,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Path maildir = dir.resolve("Maildir");
      Files.writeString(
          config,
          """
          state: { url: "jdbc:sqlite:%s" }
          accounts:
            - name: stopper
              server: 127.0.0.1
              port: %d
              tls: none
              user: stopper
              password: pw-stopper
              cron: "* * * * * ?"
              deliver: { maildir: %s }
          """
              .formatted(dir.resolve("state.db"), server.port(), maildir));
      PopfetchDaemon daemon =
          PopfetchDaemon.start(config, false, new PrintWriter(new StringWriter()));
      assertThat(trickling.await(30, TimeUnit.SECONDS))
          .as("the poll reached the trickling body")
          .isTrue();

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(daemon::stop);
      // Before a stop could reach a read in progress, this waited as long as the server trickled.
      stopping.get(10, TimeUnit.SECONDS);

      assertThat(
              !Files.isDirectory(maildir.resolve("new"))
                  || Files.list(maildir.resolve("new")).findAny().isEmpty())
          .as("nothing of the abandoned message is delivered")
          .isTrue();
    }
  }
}
