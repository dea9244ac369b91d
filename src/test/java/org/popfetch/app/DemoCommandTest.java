package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void theDemoPollsEverySampleIntoTheMaildir() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int status = cli.execute("demo", "--dir", dir.toString());
    assertThat(status).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("popfetch poll exited with 0 (mail fetched)")
        .contains("holds 5 message(s)");
    try (Stream<Path> files = Files.list(dir.resolve("Maildir/new"))) {
      assertThat(files.toList())
          .hasSize(DemoServer.SAMPLES.size())
          .allSatisfy(
              f -> assertThat(Files.readString(f)).startsWith("Received: from 127.0.0.1 by "));
    }
  }

  /** Runs {@code args} as {@code popfetch} does, its output into {@code out}. */
  private int demo(StringWriter out, String... args) {
    CommandLine cli = Main.commandLineFor(args);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    return Main.execute(cli, args);
  }

  private long delivered(String maildir) throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve(maildir).resolve("new"))) {
      return files.count();
    }
  }

  @Test
  void theTrainingOfThePollArchiveFetchesAllThenTheNewMessageOfTheKeptMailbox() throws Exception {
    StringWriter out = new StringWriter();

    int status = demo(out, "demo", "--training", "poll", "--dir", dir.toString());

    assertThat(status).as(out.toString()).isZero();
    assertThat(delivered("Maildir")).isEqualTo(DemoServer.SAMPLES.size());
    // The kept mailbox's second poll took the message that came after the first by the listing
    // shortcut; each was delivered once.
    assertThat(delivered("kept-Maildir")).isEqualTo(DemoTraining.KEPT + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "run-metrics"})
  void theTrainingOfTheServiceArchivePollsThroughARunningServiceAndStopsIt(String training)
      throws Exception {
    StringWriter out = new StringWriter();

    int status = demo(out, "demo", "--training", training, "--dir", dir.toString());

    assertThat(status).as(out.toString()).isZero();
    // The one-shot command's answer when a running service did the polling.
    assertThat(out.toString()).contains("kept: " + (DemoTraining.KEPT + 1) + " on server");
    assertThat(delivered("kept-Maildir")).isEqualTo(DemoTraining.KEPT + 1);
    assertThat(delivered("Maildir")).isEqualTo(DemoServer.SAMPLES.size());
    // Stopped: its state is free for another service.
    StringWriter again = new StringWriter();
    assertThat(demo(again, "demo", "--training", training, "--dir", dir.toString()))
        .as(again.toString())
        .isZero();
  }

  @Test
  void aTrainingForAnotherCommandIsAUsageError() {
    StringWriter out = new StringWriter();

    assertThat(demo(out, "demo", "--training", "status", "--dir", dir.toString()))
        .isEqualTo(ExitStatus.USAGE.code);
    assertThat(out.toString()).contains("--training is poll, run or run-metrics, not status");
  }
}
