package org.popfetch.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy in front of a server that says +OK to every line: what it records, and its delay. */
class RecordingPop3ProxyTest {
  private ServerSocket server;
  private RecordingPop3Proxy proxy;

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  Thread h = new Thread(() -> okToEveryLine(s));
                  h.setDaemon(true);
                  h.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
  }

  @AfterEach
  void stop() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    server.close();
  }

  private static void okToEveryLine(Socket s) {
    try (s) {
      OutputStream out = s.getOutputStream();
      out.write("+OK ready\r\n".getBytes(ISO_8859_1));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), ISO_8859_1));
      String line;
      while ((line = in.readLine()) != null) {
        out.write("+OK\r\n".getBytes(ISO_8859_1));
        if (line.equalsIgnoreCase("QUIT")) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  /** A client of the proxy: one line in, one reply out. */
  private final class Client implements AutoCloseable {
    final Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    final BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), ISO_8859_1));

    Client() throws IOException {
      assertThat(in.readLine()).startsWith("+OK");
    }

    String send(String line) throws IOException {
      socket.getOutputStream().write((line + "\r\n").getBytes(ISO_8859_1));
      return in.readLine();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void recordsTwoOpenSessionsOfOneUserButNotOneAfterTheOther() throws Exception {
    proxy = new RecordingPop3Proxy(server.getLocalPort(), Duration.ZERO);
    try (Client a = new Client()) {
      a.send("USER Alice");
      a.send("PASS x");
      a.send("RETR 1");
      a.send("DELE 1");
      a.send("QUIT");
    }
    await().until(() -> proxy.openUsers().isEmpty());
    try (Client b = new Client();
        Client c = new Client()) {
      b.send("USER alice");
      String plain = Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(ISO_8859_1));
      c.send("AUTH PLAIN " + plain);
      assertThat(proxy.openUsers()).containsExactly("alice");
      assertThat(proxy.openSessionsOf(ProcessHandle.current().pid())).hasSize(2);
      assertThat(proxy.openSessionsOf(ProcessHandle.current().parent().orElseThrow().pid()))
          .as("sessions of another process")
          .isEmpty();
    }

    assertThat(proxy.overlaps())
        .singleElement()
        .satisfies(o -> assertThat(o.user()).isEqualTo("alice"))
        .satisfies(o -> assertThat(o.firstSession()).isEqualTo(2))
        .satisfies(o -> assertThat(o.secondSession()).isEqualTo(3));
    await().until(() -> proxy.sessions().stream().allMatch(s -> s.closed() != null));
    assertThat(proxy.sessions("alice"))
        .extracting(s -> s.quit())
        .containsExactly(true, false, false);
    assertThat(proxy.commands("DELE", Instant.EPOCH, Instant.now().plusSeconds(1))).hasSize(1);
    assertThat(proxy.logins(Instant.EPOCH, Instant.now().plusSeconds(1))).hasSize(3);
  }

  @Test
  void delaysEachDirection() throws Exception {
    Duration latency = Duration.ofMillis(100);
    proxy = new RecordingPop3Proxy(server.getLocalPort(), latency);
    try (Client a = new Client()) {
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        a.send("NOOP");
      }
      Duration fiveRoundTrips = Duration.ofNanos(System.nanoTime() - start);
      assertThat(fiveRoundTrips).isGreaterThanOrEqualTo(latency.multipliedBy(10));
    }
  }
}
