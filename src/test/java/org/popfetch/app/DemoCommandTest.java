package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
}
