package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch demo}: starts an embedded sample POP3 server, writes a configuration for it under
 * {@code ./demo}, and runs the real {@code popfetch poll} against it into {@code ./demo/Maildir}.
 */
@Command(
    name = "demo",
    description =
        "Poll an embedded sample POP3 server into ./demo/Maildir with the real code path.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--trace", description = "Show the protocol conversation (passwords masked).")
  boolean trace;

  /**
   * The launcher's training run for its class-data archive of {@code poll} (and the other one-shot
   * commands) or of {@code run} (serving metrics or not): see {@link DemoTraining}.
   */
  @Option(names = "--training", hidden = true, paramLabel = "poll|run|run-metrics")
  void training(String command) {
    training = DemoTraining.of(command, spec.commandLine());
  }

  private DemoTraining training;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to put the demo (default: ./demo).")
  Path dir = Path.of("demo");

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path base = dir.toAbsolutePath().normalize();
    Files.createDirectories(base);
    if (training != null) {
      return training.run(base);
    }
    Path maildir = base.resolve("Maildir");
    try (DemoServer server = DemoServer.start()) {
      out.printf(
          "Embedded POP3 server on 127.0.0.1:%d holds %d sample messages for %s.%n",
          server.port(), DemoServer.SAMPLES.size(), DemoServer.USER);
      Path config = writeConfig(base, server.port(), maildir, "", "");
      out.printf(
          "Wrote %s; running: popfetch poll --config %s%s%n%n",
          config, config, trace ? " --trace" : "");
      out.flush();
      List<String> args = new ArrayList<>(List.of("poll", "--config", config.toString()));
      if (trace) {
        args.add("--trace");
      }
      int status = poll(spec.commandLine(), args.toArray(String[]::new));
      out.printf(
          "%npopfetch poll exited with %d (%s).%n",
          status, status == 0 ? "mail fetched" : status == 1 ? "no new mail" : "error");
      try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
        List<Path> delivered = files.sorted().toList();
        out.printf("%s/new now holds %d message(s):%n", maildir, delivered.size());
        for (Path p : delivered) {
          out.printf("  %s (%d octets)%n", p.getFileName(), Files.size(p));
        }
      }
      out.flush();
      return status <= 1 ? 0 : status;
    }
  }

  /** Runs {@code popfetch ARGS} as the command line runs it, with {@code demo}'s output. */
  static int poll(CommandLine demo, String... args) {
    // As Main.run reads them, so that the training runs the path a timer's poll takes.
    PollCommand byHand = CommandWords.poll(args);
    if (byHand != null) {
      byHand.out = demo.getOut();
      byHand.err = demo.getErr();
      return Main.runPoll(byHand);
    }
    CommandLine cli = Main.commandLineFor(args);
    cli.setOut(demo.getOut());
    cli.setErr(demo.getErr());
    return Main.execute(cli, args);
  }

  /**
   * Writes the demo's configuration, its account first, with {@code settings} (top-level lines)
   * before the accounts and {@code accounts} (more of them) after it.
   */
  static Path writeConfig(Path base, int port, Path maildir, String settings, String accounts)
      throws IOException {
    Path config = base.resolve("popfetch.yaml");
    Files.deleteIfExists(config);
    // The file holds a password, so only its owner may read it: popfetch refuses it otherwise.
    Files.createFile(
        config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        config,
        """
        # Written by `popfetch demo` for its embedded sample server.
        state: { url: "jdbc:sqlite:%s" }
        %saccounts:
          - name: demo
            server: 127.0.0.1
            port: %d
            tls: none            # loopback sample server; a real account keeps the TLS default
            user: %s
            password: %s
            deliver: { maildir: %s }
        """
                .formatted(
                    base.resolve("state.db"),
                    settings,
                    port,
                    DemoServer.USER,
                    DemoServer.PASSWORD,
                    maildir)
            + accounts);
    return config;
  }
}
