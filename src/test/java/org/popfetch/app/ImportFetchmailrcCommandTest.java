package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportFetchmailrcCommandTest {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Run(Main.execute(cli, args), out.toString(), err.toString());
  }

  private static String sample(String name) {
    try {
      return Path.of(ImportFetchmailrcCommandTest.class.getResource("/fetchmailrc/" + name).toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aWhollyTranslatedFileExitsZeroAndPassesConfigCheckLoading() throws Exception {
    Path yaml = dir.resolve("popfetch.yaml");

    Run run =
        popfetch(
            "import",
            "fetchmailrc",
            sample("ssl-keep-procmail.fetchmailrc"),
            "-o",
            yaml.toString());

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err()).contains("everything was translated");
    Path secret = dir.resolve("pop.example.com.pass");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(yaml)).contains("password: { file: \"" + secret + "\" }");
  }

  @Test
  void somethingUntranslatedExitsOneAndSaysWhatWithFileAndLine() throws Exception {
    Run run =
        popfetch(
            "import",
            "fetchmailrc",
            sample("multidrop.fetchmailrc"),
            "--secrets-dir",
            dir.toString());

    assertThat(run.status()).isEqualTo(ImportCommand.PARTLY);
    // No --output: the YAML goes to standard output, the notes to standard error.
    assertThat(run.out()).startsWith("# popfetch configuration translated from");
    assertThat(run.err())
        .contains("multidrop.fetchmailrc:11: mx.example.org: not translated: fetchall");
  }

  @Test
  void aFileFetchmailWouldRefuseExitsFiveWithFileAndLineAndWritesNothing() throws Exception {
    Path rc = Files.writeString(dir.resolve("rc"), "poll a\n  user b pass c\n  frobnicate\n");
    Path yaml = dir.resolve("out.yaml");

    Run run = popfetch("import", "fetchmailrc", rc.toString(), "-o", yaml.toString());

    assertThat(run.status()).isEqualTo(ExitStatus.SYNTAX.code);
    assertThat(run.err()).isEqualTo("popfetch: " + rc + ":3: unknown keyword \"frobnicate\"\n");
    assertThat(yaml).doesNotExist();
    assertThat(dir.resolve("a.pass")).doesNotExist();
  }
}
