package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The exit status of a bad configuration follows the kind of problem, not its wording. */
class ConfigExitStatusTest {
  @TempDir Path dir;

  private record Run(int status, String output) {}

  private static Run popfetch(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return new Run(cli.execute(args), out.toString());
  }

  private Path privateFile(Path file, String text) throws Exception {
    Files.createDirectories(file.getParent());
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, text);
  }

  private String account(String password) {
    return """
    state: { url: "jdbc:sqlite:%s" }
    accounts:
      - name: carol
        server: 127.0.0.1
        tls: none
        user: carol
        password: %s
        deliver: { maildir: %s }
    """
        .formatted(dir.resolve("state.db"), password, dir.resolve("Maildir"));
  }

  @Test
  void aTypoInAFileWhosePathSaysChmod600IsStillASyntaxError() throws Exception {
    Path file = privateFile(dir.resolve("chmod 600").resolve("popfetch.yaml"), account("pw"));
    Files.writeString(file, Files.readString(file).replace("server:", "sever:"));
    Run run = popfetch("config", "check", "--config", file.toString());
    assertThat(run.output()).contains("chmod 600").contains("unknown key");
    assertThat(run.status()).as(run.output()).isEqualTo(ExitStatus.SYNTAX.code);
  }

  @Test
  void aPasswordFileOthersCanReadGetsThePermissionsStatus() throws Exception {
    Path secret = privateFile(dir.resolve("secret"), "pw\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
    Path file = privateFile(dir.resolve("popfetch.yaml"), account("{file: " + secret + "}"));
    Run run = popfetch("config", "check", "--config", file.toString());
    assertThat(run.output()).contains("chmod 600 " + secret);
    assertThat(run.status()).as(run.output()).isEqualTo(ExitStatus.PERMISSIONS.code);
  }
}
