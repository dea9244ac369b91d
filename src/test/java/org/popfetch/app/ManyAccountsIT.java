package org.popfetch.app;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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

  /**
   * Accepts and holds every connection, silent; counts how many are open at once. Before it counts
   * a new connection it looks, without waiting, for the end of each one it holds: a client that
   * closed one before opening the next (as the cap requires) has its close seen first, however late
   * a thread of this server would have been scheduled to notice it.
   */
  static final class SilentServer implements AutoCloseable {
    final ServerSocketChannel socket = ServerSocketChannel.open();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    private final List<SocketChannel> held = new ArrayList<>();
    final Thread acceptor = new Thread(this::serve, "silent-pop3");

    SilentServer() throws Exception {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.socket().getLocalPort();
    }

    private void serve() {
      ByteBuffer discard = ByteBuffer.allocate(512);
      while (socket.isOpen()) {
        try {
          SocketChannel s = socket.accept();
          accepted.incrementAndGet();
          held.removeIf(c -> ended(c, discard));
          s.configureBlocking(false);
          held.add(s);
          most.accumulateAndGet(held.size(), Math::max);
        } catch (IOException e) {
          return;
        }
      }
    }

    /** Whether the client closed {@code c} (read without waiting; what it sent is dropped). */
    private static boolean ended(SocketChannel c, ByteBuffer discard) {
      try {
        int n;
        do {
          discard.clear();
          n = c.read(discard);
        } while (n > 0);
        if (n < 0) {
          c.close();
          return true;
        }
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      for (SocketChannel c : held) {
        c.close();
      }
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
          config.append(account("hung" + i, silent.port(), "nobody" + i));
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
