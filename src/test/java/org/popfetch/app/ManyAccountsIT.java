package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * Many accounts, some on a server that accepts connections and never says a word: the healthy
 * accounts are all polled, the hung ones cost only their own timeout, and the hung server never
 * sees more connections at once than the per-server cap.
 */
class ManyAccountsIT {
  private static final int HEALTHY = 24;
  private static final int HUNG = 10;
  private static final int PER_SERVER = 3;

  @TempDir static Path shared;
  static DovecotServer dovecot;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < HEALTHY; i++) {
      users.add("h" + i);
      users.add("pw-h" + i);
    }
    dovecot =
        DovecotServer.start(
            DovecotServer.users(users.toArray(String[]::new)),
            TestPki.create("many").issue("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /** Accepts and holds every connection, silent; counts how many are open at once. */
  static final class SilentServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    final Thread acceptor = new Thread(this::serve, "silent-pop3");

    SilentServer() throws Exception {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.incrementAndGet();
          most.accumulateAndGet(open.incrementAndGet(), Math::max);
          Thread holder =
              new Thread(
                  () -> {
                    try (s) {
                      while (s.getInputStream().read() >= 0) {
                        // say nothing; wait for the client to give up
                      }
                    } catch (Exception e) {
                      // the client closed it
                    } finally {
                      open.decrementAndGet();
                    }
                  });
          holder.setDaemon(true);
          holder.start();
        } catch (Exception e) {
          return;
        }
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  private static String account(String name, int port, String user) {
    return """
      - name: %1$s
        server: 127.0.0.1
        port: %2$d
        tls: none
        user: %3$s
        password: pw-%3$s
        timeout: 2s
        deliver: { maildir: %4$s }
    """
        .formatted(name, port, user, "MAILDIR/" + name);
  }

  @Test
  void hungServerCostsOnlyItsOwnAccountsAndNeverGetsMoreThanTheCap() throws Exception {
    for (int i = 0; i < HEALTHY; i++) {
      dovecot.deliver("h" + i, Mail.message("m-h" + i, 5).getBytes(ISO_8859_1));
    }
    try (SilentServer silent = new SilentServer()) {
      StringBuilder config =
          new StringBuilder(
              "state: { url: \"jdbc:sqlite:"
                  + dir.resolve("state.db")
                  + "\" }\n"
                  + "parallel: 8\nper-server: "
                  + PER_SERVER
                  + "\naccounts:\n");
      // Interleaved, so the hung accounts are met early and often.
      for (int i = 0; i < Math.max(HEALTHY, HUNG); i++) {
        if (i < HUNG) {
          config.append(account("hung" + i, silent.socket.getLocalPort(), "nobody" + i));
        }
        if (i < HEALTHY) {
          config.append(account("h" + i, dovecot.pop3Port(), "h" + i));
        }
      }
      Path file = dir.resolve("popfetch.yaml");
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, config.toString().replace("MAILDIR", dir.toString()));

      StringWriter out = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(out));
      int status = cli.execute("poll", "--config", file.toString());

      assertThat(status).as(out.toString()).isNotZero(); // the hung accounts failed, and say so
      for (int i = 0; i < HEALTHY; i++) {
        assertThat(Mail.idsIn(dir.resolve("h" + i))).as("account h" + i).containsExactly("m-h" + i);
        assertThat(dovecot.messageCount("h" + i)).isZero();
      }
      assertThat(silent.accepted.get()).as("every hung account was tried").isEqualTo(HUNG);
      assertThat(silent.most.get())
          .as("connections open at once to the hung server")
          .isEqualTo(PER_SERVER);
    }
  }
}
