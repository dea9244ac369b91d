package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code popfetch status} against a stand-in for the service's metrics endpoints. */
class StatusCommandTest {
  @TempDir Path dir;
  private HttpServer http;
  private volatile String metrics = "";
  private volatile int healthStatus = 200;
  private volatile String health = "ok\n";

  @BeforeEach
  void serve() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/metrics", ex -> reply(ex, 200, metrics));
    http.createContext("/health", ex -> reply(ex, healthStatus, health));
    http.start();
  }

  @AfterEach
  void stop() {
    http.stop(0);
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Test
  void summarisesEachAccountFromTheMetricsAndSaysTheHealth() throws Exception {
    metrics =
        """
        # HELP popfetch_polls_total polls
        popfetch_polls_total{account="work",result="ok"} 7.0
        popfetch_polls_total{account="work",result="auth"} 2.0
        popfetch_messages_fetched_total{account="work"} 42.0
        popfetch_consecutive_failures{account="work"} 0.0
        popfetch_last_success_timestamp_seconds{account="work"} 1.7e9
        popfetch_polls_total{account="home",result="connect"} 3.0
        popfetch_queue_depth 5.0
        jvm_threads_live_threads 19.0
        """;

    Run run = status();

    assertThat(run.status()).as(run.output()).isZero();
    assertThat(run.output())
        .containsPattern("work +9 +2 +42 +0  2023-11-14T22:13:20Z")
        .containsPattern("home +3 +3 +0 +0  never")
        .contains("queue: 5 message(s); health: ok");
  }

  @Test
  void anUnhealthyServiceExitsOneAndItsWordsAreEscaped() throws Exception {
    metrics = "popfetch_polls_total{account=\"a\u001b]0;x\u0007\",result=\"ok\"} 1.0\n";
    healthStatus = 503;
    health = "no success for \u001b[2Jwork\n";

    Run run = status();

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.output())
        .contains("\\x1b[2Jwork")
        .contains("a\\x1b]0;x\\x07")
        .doesNotContain("\u001b");
  }

  @Test
  void nothingListeningIsAConnectionFailure() throws Exception {
    int port = http.getAddress().getPort();
    http.stop(0);

    Run run = status(port);

    assertThat(run.status()).isEqualTo(ExitStatus.SOCKET.code);
    assertThat(run.output()).contains("popfetch: no service answers at http://127.0.0.1:" + port);
  }

  private record Run(int status, String output) {}

  private Run status() throws IOException {
    return status(http.getAddress().getPort());
  }

  private Run status(int port) throws IOException {
    Path file = dir.resolve("popfetch.yaml");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file,
        """
        state: { url: "jdbc:sqlite:%s" }
        metrics: { listen: "127.0.0.1:%d" }
        accounts:
          - name: work
            server: 127.0.0.1
            port: 110
            tls: none
            user: carol
            password: s3cret-pw
            deliver: { maildir: %s }
        """
            .formatted(dir.resolve("state.db"), port, dir.resolve("Maildir")));
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute("status", "--config", file.toString()), out.toString());
  }
}
