package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
  @Test
  void theDemoFetchesEverySampleWithPasswordsMaskedInTheTrace() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    int status = cli.execute("demo", "--trace");
    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("Logged in as alice: 5 messages")
        .contains("C: AUTH PLAIN ****")
        .contains("Retrieved 5 messages")
        .doesNotContain(DemoServer.PASSWORD);
  }
}
