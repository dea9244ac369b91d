package org.popfetch.app;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * runs the polls as one-shot commands; {@code run} starts the service (metrics served, the
 * configuration watched, its signal handling set up as {@code run} sets it up), has it poll over
 * its control socket, reads its metrics and health once as a scraper would, and stops it.
 *
 * <p>Given a class list ({@code --class-list}, as the launcher gives it for {@code poll}), each
 * poll runs as {@code popfetch poll} in a JVM of its own, which lists the classes it loads: this
 * JVM's own list would hold what the {@code demo} command line, the training and its server load
 * and no poll does (picocli's reading of annotations, the JDK's annotation proxies and their
 * bytecode generator, 385 classes in all), and every one of them is resident in every poll that
 * maps the archive (docs/benchmarks.md, "Memory").
 */
final class DemoTraining {
  /** Kept messages in the training's keep-mode mailbox: enough for a listing mark. */
  static final int KEPT = 120;

  static final String KEEP_USER = "bob";

  private final boolean service;
  private final CommandLine demo;

  private DemoTraining(boolean service, CommandLine demo) {
    this.service = service;
    this.demo = demo;
  }

  /** The training for {@code command}: poll or run. */
  static DemoTraining of(String command, CommandLine demo) {
    return switch (command) {
      case "poll" -> new DemoTraining(false, demo);
      case "run" -> new DemoTraining(true, demo);
      default ->
          throw new CommandLine.ParameterException(
              demo, "--training is poll or run, not " + command);
    };
  }

  /** How long one poll of the training may take in a JVM of its own. */
  private static final long POLL_PROCESS_MINUTES = 5;

  /** Where each poll's JVM lists its classes (with ".N" after it), or null to poll in this one. */
  private Path classList;

  /**
   * Runs the training in {@code base}; its status is that of its last poll (0 or 1: fine).
   *
   * @param classList for poll's training: each poll runs in a JVM of its own and lists its classes
   *     in this file with ".1", ".2", ".3" after its name; null to poll in this JVM
   */
  int run(Path base, Path classList) throws Exception {
    this.classList = service ? null : classList;
    try (DemoServer server = DemoServer.start()) {
      for (int i = 1; i <= KEPT; i++) {
        server.add(KEEP_USER, DemoServer.PASSWORD, message(i));
      }
      int metricsPort = service ? freePort() : 0;
      Path config =
          DemoCommand.writeConfig(
              base,
              server.port(),
              base.resolve("Maildir"),
              service ? "metrics: { listen: \"127.0.0.1:" + metricsPort + "\" }\n" : "",
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
          scrape(metricsPort, "/metrics");
          scrape(metricsPort, "/health");
          return status;
        } finally {
          signals.uninstall();
        }
      }
    }
  }

  private int polls(DemoServer server, String[] poll) throws IOException, InterruptedException {
    int status = poll(poll, 1);
    server.add(KEEP_USER, DemoServer.PASSWORD, message(KEPT + 1));
    for (int n = 2; n <= 3 && status <= 1; n++) {
      status = poll(poll, n);
    }
    return status <= 1 ? 0 : status;
  }

  /** The {@code n}th poll: in this JVM, or in one of its own that lists its classes. */
  private int poll(String[] poll, int n) throws IOException, InterruptedException {
    if (classList == null) {
      return DemoCommand.poll(demo, poll);
    }
    demo.getErr().flush();
    Process process =
        new ProcessBuilder(
                pollProcess(poll, classList.resolveSibling(classList.getFileName() + "." + n)))
            .inheritIO()
            .start();
    if (!process.waitFor(POLL_PROCESS_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IOException(
          "the training's poll " + n + " did not end within " + POLL_PROCESS_MINUTES + " minutes");
    }
    return process.exitValue();
  }

  /**
   * {@code popfetch poll} in a JVM as this one was started (the launcher's flags), sharing no
   * archive, listing its classes in {@code list}: started with {@code -jar} as the launcher starts
   * it, so that the jar's manifest is read as in every command, or from the class path where this
   * JVM has no single jar (a test's).
   */
  static List<String> pollProcess(String[] poll, Path list) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-Xshare:")
          && !flag.startsWith("-XX:DumpLoadedClassList=")
          && !flag.startsWith("-XX:SharedArchiveFile=")) {
        command.add(flag);
      }
    }
    command.add("-Xshare:off");
    command.add("-XX:DumpLoadedClassList=" + list);
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
      command.add("-jar");
      command.add(classPath);
    } else {
      command.add("-cp");
      command.add(classPath);
      command.add(Main.class.getName());
    }
    command.addAll(List.of(poll));
    return command;
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
