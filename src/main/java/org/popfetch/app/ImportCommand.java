package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.popfetch.migrate.FetchmailRcImport;
import org.popfetch.migrate.Note;
import org.popfetch.migrate.RcSyntaxException;
import org.popfetch.migrate.Translation;
import org.popfetch.net.LogText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch import}: coming from fetchmail, mpop or getmail6 (the work is done in {@code
 * migrate}; this is the command line and the exit statuses).
 */
@Command(
    name = "import",
    description = "Take over the configuration and the seen mail of fetchmail, mpop or getmail6.",
    subcommands = {ImportCommand.Fetchmailrc.class})
final class ImportCommand implements Runnable {
  /** Everything was done, but something had no popfetch equivalent or matched no account. */
  static final int PARTLY = 1;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "fetchmailrc",
      description = {
        "Translate a .fetchmailrc into popfetch's configuration, each password into a secret"
            + " file of mode 0600 that the configuration names.",
        "What has no popfetch equivalent is listed on standard error and as a comment at its"
            + " account, with its line; nothing in the file is run."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        " 0:everything was translated",
        " 1:written, but something was not translated (see the notes)",
        " 5:the file cannot be read, or fetchmail would refuse it (FILE:LINE)",
        "23:the output or a secret file cannot be written",
        "64:usage error"
      })
  static final class Fetchmailrc implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The .fetchmailrc to read.")
    Path file;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "YAML",
        description = "Write the configuration here (default: standard output).")
    Path output;

    @Option(
        names = "--secrets-dir",
        paramLabel = "DIR",
        description =
            "Where the password files go (default: beside the output, or the current directory).")
    Path secretsDir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path secrets =
          secretsDir != null
              ? secretsDir
              : output != null ? output.toAbsolutePath().getParent() : Path.of("");
      Translation t;
      try {
        t = FetchmailRcImport.translate(file, secrets, System.getProperty("user.name", "root"));
      } catch (RcSyntaxException e) {
        err.println("popfetch: " + e.getMessage());
        err.flush();
        return ExitStatus.SYNTAX.code;
      }
      String shownFile = LogText.sanitize(file.toString());
      try {
        FetchmailRcImport.writeSecrets(t);
        if (output != null) {
          FetchmailRcImport.writeYaml(t, output);
        } else {
          out.print(t.yaml());
          out.flush();
        }
      } catch (IOException e) {
        err.println(
            "popfetch: cannot write the translation: "
                + LogText.sanitize(String.valueOf(e.getMessage())));
        err.flush();
        return ExitStatus.INTERNAL.code;
      }
      for (Note n : t.notes()) {
        err.println(n.shown(shownFile));
      }
      long untranslated = t.notes().stream().filter(Note::untranslated).count();
      if (output != null) {
        err.println(
            "popfetch: wrote "
                + LogText.sanitize(output.toString())
                + " and "
                + t.secrets().size()
                + " secret file(s)"
                + (untranslated == 0
                    ? "; everything was translated"
                    : "; " + untranslated + " thing(s) not translated, marked NOT TRANSLATED"));
      }
      err.flush();
      return untranslated == 0 ? 0 : PARTLY;
    }
  }
}
