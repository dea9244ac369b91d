package org.popfetch.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.ScriptedServer;

class CommandChannelTest {
  /** A client's own exception, keeping the failure it was made from. */
  static final class ClientException extends IOException {
    final WireFailure failure;

    ClientException(WireFailure failure) {
      super(failure.message(), failure.cause());
      this.failure = failure;
    }

    ClientException(String message) {
      super(message);
      this.failure = null;
    }
  }

  private final RecordingTrace trace = new RecordingTrace();
  private final AtomicInteger aborts = new AtomicInteger();

  private CommandChannel<ClientException> open(Socket socket, Duration patience)
      throws IOException {
    socket.setSoTimeout((int) patience.toMillis());
    CommandChannel<ClientException> channel =
        new CommandChannel<>(
            "mx.test:25",
            patience,
            trace,
            ClientException.class,
            ClientException::new,
            aborts::incrementAndGet);
    channel.attach(socket.getInputStream(), new BufferedOutputStream(socket.getOutputStream()));
    return channel;
  }

  private static Socket connect(ScriptedServer server) throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), server.port());
  }

  @Test
  void theTraceShowsTheMaskedFormAndTheLineGoesOutWhole() throws Exception {
    try (ScriptedServer server =
            new ScriptedServer(
                c -> {
                  c.expect("PASS s3cret");
                  c.send("+OK welcome");
                });
        Socket socket = connect(server)) {
      CommandChannel<ClientException> channel = open(socket, Duration.ofSeconds(10));
      channel.write("PASS s3cret", "PASS ****");
      channel.flush("PASS");
      assertThat(channel.readLine("PASS", 512)).isEqualTo("+OK welcome");
      server.awaitScript();
    }
    assertThat(trace.events()).containsExactly("C: PASS ****", "S: +OK welcome");
    assertThat(trace.all()).doesNotContain("s3cret");
  }

  @Test
  void aLineLongerThanTheLimitFailsAndAborts() throws Exception {
    try (ScriptedServer server =
            new ScriptedServer(
                c -> {
                  c.send("+OK " + "x".repeat(200));
                  c.expectClose();
                });
        Socket socket = connect(server)) {
      CommandChannel<ClientException> channel = open(socket, Duration.ofSeconds(10));
      assertThatThrownBy(() -> channel.readLine("greeting", 64))
          .isInstanceOfSatisfying(
              ClientException.class,
              e -> {
                assertThat(e.failure.kind()).isEqualTo(WireFailure.Kind.LINE_TOO_LONG);
                assertThat(e).hasMessage("mx.test:25 sent a line longer than 64 octets (greeting)");
              });
      assertThat(aborts).hasValue(1);
      socket.close();
    }
  }

  @Test
  void silenceBecomesATimeoutNamingWhatWasAwaited() throws Exception {
    try (ScriptedServer server = new ScriptedServer(c -> c.stall());
        Socket socket = connect(server)) {
      CommandChannel<ClientException> channel = open(socket, Duration.ofSeconds(1));
      channel.write("NOOP");
      channel.flush("NOOP");
      assertThatThrownBy(() -> channel.readLine("NOOP", 512))
          .isInstanceOfSatisfying(
              ClientException.class,
              e -> {
                assertThat(e.failure.kind()).isEqualTo(WireFailure.Kind.TIMEOUT);
                assertThat(e).hasMessage("mx.test:25 sent nothing for 1s (waiting for NOOP)");
              });
      assertThat(aborts).hasValue(1);
      socket.close();
    }
  }

  @Test
  void aCloseCarriesThePeersLastWordsEscaped() throws Exception {
    try (ScriptedServer server =
            new ScriptedServer(
                c -> {
                  c.expect("MAIL FROM:<a@b>");
                  c.send("421 4.3.2 going \u001b[2Jdown");
                  c.close();
                });
        Socket socket = connect(server)) {
      CommandChannel<ClientException> channel = open(socket, Duration.ofSeconds(10));
      channel.write("MAIL FROM:<a@b>");
      channel.flush("MAIL");
      assertThat(channel.readLine("MAIL", 512)).startsWith("421 ");
      assertThatThrownBy(() -> channel.readLine("RCPT", 512))
          .isInstanceOfSatisfying(
              ClientException.class,
              e -> {
                assertThat(e.failure.kind()).isEqualTo(WireFailure.Kind.CLOSED);
                assertThat(e.getMessage())
                    .startsWith("mx.test:25 closed the connection (RCPT)")
                    .contains("the last it said was \"421 4.3.2 going ")
                    .doesNotContain("\u001b");
              });
      assertThat(aborts).hasValue(1);
    }
  }

  @Test
  void theClientsOwnExceptionPassesThroughUnchanged() throws Exception {
    try (ScriptedServer server = new ScriptedServer(c -> c.expectClose());
        Socket socket = connect(server)) {
      CommandChannel<ClientException> channel = open(socket, Duration.ofSeconds(10));
      ClientException own = new ClientException("message 3 is out of step");
      assertThat(channel.failure("RETR 3", own)).isSameAs(own);
      assertThat(aborts).hasValue(1);
      socket.close();
    }
  }
}
