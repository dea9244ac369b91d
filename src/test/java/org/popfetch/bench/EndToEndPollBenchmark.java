package org.popfetch.bench;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.popfetch.app.Main;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.Mail;
import org.popfetch.testing.TestPki;
import picocli.CommandLine;

/**
 * End to end: a private Dovecot with N messages of about 4 KiB, one {@code popfetch poll} in delete
 * mode into a Maildir, timed from the command's start to its exit (the JVM is already running, so
 * this is the poll alone, not JVM start-up). Run with {@code src/test/scripts/bench-e2e.sh [N]
 * [runs]} as root.
 */
public final class EndToEndPollBenchmark {
  private EndToEndPollBenchmark() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path work = Files.createTempDirectory("popfetch-e2e-");
    try (DovecotServer dovecot =
        DovecotServer.start(
            DovecotServer.users("bench", "pw-bench"), TestPki.create("e2e").issue("127.0.0.1"))) {
      for (int run = 1; run <= runs; run++) {
        for (int i = 0; i < count; i++) {
          dovecot.deliver(
              "bench",
              Mail.message("r" + run + "-m" + i, 50).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path dir = Files.createDirectories(work.resolve("run" + run));
        Path config = dir.resolve("popfetch.yaml");
        Files.createFile(
            config,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
            config,
            """
            state: { url: "jdbc:sqlite:%s" }
            accounts:
              - name: bench
                server: 127.0.0.1
                port: %d
                tls: none
                user: bench
                password: pw-bench
                deliver: { maildir: %s }
            """
                .formatted(dir.resolve("state.db"), dovecot.pop3Port(), dir.resolve("Maildir")));
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(System.out, true));
        long start = System.nanoTime();
        int status = cli.execute("poll", "--config", config.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        long delivered;
        try (Stream<Path> files = Files.list(dir.resolve("Maildir/new"))) {
          delivered = files.count();
        }
        System.out.printf(
            "run %d: exit %d, %d messages in %.2f s = %.0f msg/s%n",
            run, status, delivered, seconds, delivered / seconds);
      }
    } finally {
      try (Stream<Path> walk = Files.walk(work)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
