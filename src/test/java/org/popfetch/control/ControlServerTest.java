package org.popfetch.control;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {
  @TempDir Path dir;

  private final List<ControlRequest> handled = new CopyOnWriteArrayList<>();

  /** Answers every request with one line on each stream and status 7. */
  private int echo(ControlRequest request, ControlReply reply) {
    handled.add(request);
    reply.out("asked " + request.verb() + " " + request.words());
    reply.err("a warning");
    return 7;
  }

  private record Printed(Optional<Integer> status, String out, String err) {}

  private static Printed send(Path socket, ControlRequest request) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Optional<Integer> status =
        ControlClient.send(
            socket, request, Duration.ofSeconds(30), new PrintWriter(out), new PrintWriter(err));
    return new Printed(status, out.toString(), err.toString());
  }

  @Test
  void aRequestIsAnsweredWithItsLinesAndStatusOnASocketForOwnerAndGroup() throws Exception {
    Path socket = dir.resolve("control.sock");
    try (ControlServer server = ControlServer.listen(socket, this::echo)) {
      Printed p = send(socket, ControlRequest.of("poll", List.of("work mail")));
      assertThat(p.status()).contains(7);
      assertThat(p.out()).isEqualTo("asked poll [work mail]" + System.lineSeparator());
      assertThat(p.err()).isEqualTo("a warning" + System.lineSeparator());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-rw----");
    }
    assertThat(socket).as("removed on close").doesNotExist();
  }

  @Test
  void noServiceIsEmptyWhetherTheSocketIsMissingOrLeftByAServiceThatDied() throws Exception {
    Path socket = dir.resolve("control.sock");
    assertThat(send(socket, ControlRequest.of("status", List.of())).status()).isEmpty();
    staleSocket(socket);
    assertThat(send(socket, ControlRequest.of("status", List.of())).status()).isEmpty();
  }

  @Test
  void aPathThroughAFileOrAFileThatIsNoSocketIsNoService() throws Exception {
    Path plain = Files.writeString(dir.resolve("plain"), "x");
    assertThat(send(plain.resolve("control.sock"), ControlRequest.of("poll", List.of())).status())
        .isEmpty();
    assertThat(send(plain, ControlRequest.of("poll", List.of())).status()).isEmpty();
  }

  /** A socket file nothing listens on, as a killed service leaves it. */
  private static void staleSocket(Path socket) throws Exception {
    try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
  }

  @Test
  void aStaleSocketIsReplacedAtStart() throws Exception {
    Path socket = dir.resolve("control.sock");
    staleSocket(socket);
    try (ControlServer server = ControlServer.listen(socket, this::echo)) {
      assertThat(send(socket, ControlRequest.of("status", List.of())).status()).contains(7);
    }
  }

  @Test
  void aLiveSocketIsNotTakenOverNorIsAFileThatIsNoSocket() throws Exception {
    Path socket = dir.resolve("control.sock");
    try (ControlServer first = ControlServer.listen(socket, this::echo)) {
      assertThatThrownBy(() -> ControlServer.listen(socket, this::echo))
          .isInstanceOf(ControlServer.InUseException.class);
      assertThat(send(socket, ControlRequest.of("status", List.of())).status())
          .as("the first still answers")
          .contains(7);
    }
    Path file = dir.resolve("file.sock");
    Files.writeString(file, "precious");
    assertThatThrownBy(() -> ControlServer.listen(file, this::echo))
        .hasMessageContaining("is not a socket");
    assertThat(file).hasContent("precious");
  }

  @Test
  void anEndlessRequestLineIsCutOffUnhandledAndTheNextClientIsServed() throws Exception {
    Path socket = dir.resolve("control.sock");
    try (ControlServer server = ControlServer.listen(socket, this::echo);
        SocketChannel hostile = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      ByteBuffer junk = ByteBuffer.wrap("x".repeat(4096).getBytes(US_ASCII));
      long sent = 0;
      try {
        while (sent < 1 << 20) { // far past the limit; the server hangs up on the way
          junk.rewind();
          sent += hostile.write(junk);
        }
      } catch (java.io.IOException e) {
        // the server closed the connection: what is expected
      }
      ByteBuffer answer = ByteBuffer.allocate(1024);
      int n;
      try {
        n = hostile.read(answer);
      } catch (java.io.IOException e) {
        n = -1;
      }
      assertThat(n).as("closed without an answer").isEqualTo(-1);
      assertThat(handled).isEmpty();
      assertThat(send(socket, ControlRequest.of("reload", List.of())).status()).contains(7);
    }
  }

  @Test
  void anIdleClientIsClosed() throws Exception {
    Path socket = dir.resolve("control.sock");
    try (ControlServer server = ControlServer.listen(socket, this::echo, Duration.ofMillis(300));
        SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      // Connected, never a word: the server closes it, and nothing was handled.
      assertThat(idle.read(ByteBuffer.allocate(16))).isEqualTo(-1);
      assertThat(handled).isEmpty();
    }
  }

  @Test
  void theLimitOfClientsIsHeld() throws Exception {
    Path socket = dir.resolve("control.sock");
    CountDownLatch inHandler = new CountDownLatch(ControlServer.MAX_CLIENTS);
    CountDownLatch release = new CountDownLatch(1);
    ControlServer.Handler slow =
        (request, reply) -> {
          inHandler.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return 0;
        };
    List<SocketChannel> held = new ArrayList<>();
    // A fresh server and the default request time: no client of the limit is let go before the
    // one over it comes, however slowly the machine runs.
    try (ControlServer server = ControlServer.listen(socket, slow)) {
      try {
        for (int i = 0; i < ControlServer.MAX_CLIENTS; i++) {
          SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket));
          c.write(ByteBuffer.wrap("status\n".getBytes(US_ASCII)));
          held.add(c);
        }
        assertThat(inHandler.await(60, TimeUnit.SECONDS))
            .as("as many clients as may be served at once, each stuck in the handler")
            .isTrue();
        Printed p = send(socket, ControlRequest.of("status", List.of()));
        assertThat(p.status())
            .as("one more is told to come back, at once")
            .contains(ControlServer.STATUS_BUSY);
        assertThat(p.err()).contains("busy");
      } finally {
        release.countDown();
        for (SocketChannel c : held) {
          c.close();
        }
      }
    }
  }

  @Test
  void theClientEscapesAndBoundsWhatAServerSends() throws Exception {
    Path socket = dir.resolve("fake.sock");
    try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      fake.bind(UnixDomainSocketAddress.of(socket));
      Thread t =
          new Thread(
              () -> {
                try (SocketChannel c = fake.accept()) {
                  c.write(
                      ByteBuffer.wrap(
                          "out \u001b[2Jcleared\nerr \u202eevil\nexit 3\n"
                              .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                } catch (java.io.IOException ignored) {
                  // the test sees what arrived
                }
              });
      t.start();
      Printed p = send(socket, ControlRequest.of("status", List.of()));
      assertThat(p.status()).contains(3);
      assertThat(p.out()).doesNotContain("\u001b").contains("\\x1b[2Jcleared");
      assertThat(p.err()).doesNotContain("\u202e");
      t.join();
    }
  }

  @Test
  void aServerThatBreaksOffOrFloodsIsABrokenReply() throws Exception {
    Path socket = dir.resolve("fake.sock");
    for (String reply : List.of("out half an answer\n", "x".repeat(100_000))) {
      Files.deleteIfExists(socket);
      try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        fake.bind(UnixDomainSocketAddress.of(socket));
        Thread t =
            new Thread(
                () -> {
                  try (SocketChannel c = fake.accept()) {
                    c.write(ByteBuffer.wrap(reply.getBytes(US_ASCII)));
                  } catch (java.io.IOException ignored) {
                    // the client may hang up first
                  }
                });
        t.start();
        assertThatThrownBy(() -> send(socket, ControlRequest.of("status", List.of())))
            .isInstanceOf(ControlClient.BrokenReplyException.class);
        t.join();
      }
    }
  }
}
