package org.popfetch.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * The training runs of the launcher's class-data archives ({@code popfetch demo --training poll} or
 * {@code run}): the code paths users' commands take, against the demo's embedded server, in a JVM
 * that lists the classes it loads. Whatever a training run loads is mapped (and, on a Java that
 * relocates the archive, resident) in every command that uses its archive, so each archive is
 * trained by what its commands do and no more.
 *
 * <p>Both have, beside the demo's own account, one in keep mode whose mailbox is long enough for
 * the listing shortcut, and poll three times: the first fetches everything (and deletes the demo
 * account's messages), the second one new message by the shortcut, the third nothing. {@code poll}
 * runs the polls as one-shot commands; {@code run} starts the service (the configuration watched,
 * its signal handling set up as {@code run} sets it up), has it poll over its control socket, and
 * stops it; {@code run-metrics} does the same with metrics served, and reads them and the health
 * once as a scraper would. A service that serves no metrics (the shipped configuration) has an
 * archive without them: the meters, the Prometheus model and the HTTP server are some 450 classes
 * that would be resident in every service.
 */
final class DemoTraining {
  /** Kept messages in the training's keep-mode mailbox: enough for a listing mark. */
  static final int KEPT = 120;

  static final String KEEP_USER = "bob";

  private final boolean service;
  private final boolean metrics;
  private final CommandLine demo;

  private DemoTraining(boolean service, boolean metrics, CommandLine demo) {
    this.service = service;
    this.metrics = metrics;
    this.demo = demo;
  }

  /** The training for {@code command}: poll, run or run-metrics. */
  static DemoTraining of(String command, CommandLine demo) {
    return switch (command) {
      case "poll" -> new DemoTraining(false, false, demo);
      case "run" -> new DemoTraining(true, false, demo);
      case "run-metrics" -> new DemoTraining(true, true, demo);
      default ->
          throw new CommandLine.ParameterException(
              demo, "--training is poll, run or run-metrics, not " + command);
    };
  }

  /** Runs the training in {@code base}; its status is that of its last poll (0 or 1: fine). */
  int run(Path base) throws Exception {
    try (DemoServer server = DemoServer.start()) {
      for (int i = 1; i <= KEPT; i++) {
        server.add(KEEP_USER, DemoServer.PASSWORD, message(i));
      }
      int metricsPort = metrics ? freePort() : 0;
      Path config =
          DemoCommand.writeConfig(
              base,
              server.port(),
              base.resolve("Maildir"),
              metrics ? "metrics: { listen: \"127.0.0.1:" + metricsPort + "\" }\n" : "",
              keepAccount(server.port(), base.resolve("kept-Maildir")));
      String[] poll = {"poll", "--config", config.toString()};
      if (!service) {
        return polls(server, poll);
      }
      PrintWriter err = demo.getErr();
      try (PopfetchDaemon daemon = PopfetchDaemon.start(config, false, err)) {
        // As run sets the service up, so that its signal handling is in the archive too; undone
        // before the daemon closes, as the training stops it itself.
        ServiceSignals signals = ServiceSignals.install(daemon);
        try {
          daemon.watchConfig(PopfetchDaemon.CONFIG_CHECK);
          int status = polls(server, poll);
          if (metrics) {
            scrape(metricsPort, "/metrics");
            scrape(metricsPort, "/health");
          }
          return status;
        } finally {
          signals.uninstall();
        }
      }
    }
  }

  private int polls(DemoServer server, String[] poll) {
    int status = DemoCommand.poll(demo, poll);
    server.add(KEEP_USER, DemoServer.PASSWORD, message(KEPT + 1));
    for (int n = 2; n <= 3 && status <= 1; n++) {
      status = DemoCommand.poll(demo, poll);
    }
    return status <= 1 ? 0 : status;
  }

  private static String keepAccount(int port, Path maildir) {
    return """
      - name: kept
        server: 127.0.0.1
        port: %d
        tls: none
        user: %s
        password: %s
        keep: true
        deliver: { maildir: %s }
    """
        .formatted(port, KEEP_USER, DemoServer.PASSWORD, maildir);
  }

  private static byte[] message(int n) {
    return """
    From: Training <training@example.org>
    To: Bob <bob@example.org>
    Subject: Training message %d
    Message-ID: <training.%d@example.org>

    Message %d of a training run.
    """
        .formatted(n, n, n)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A loopback port free a moment ago: the configuration names the metrics port. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * One GET of {@code path} (/metrics, /health) over a plain socket, as a scraper or a health check
   * would: an HTTP client here would put its own classes in the service's archive.
   */
  private static void scrape(int port, String path) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000); // a training that hangs would hang the package's installation
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      in.transferTo(OutputStream.nullOutputStream());
    }
  }
}
