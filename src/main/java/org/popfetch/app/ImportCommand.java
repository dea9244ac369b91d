package org.popfetch.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.migrate.FetchmailRcImport;
import org.popfetch.migrate.ImportTarget;
import org.popfetch.migrate.Note;
import org.popfetch.migrate.RcSyntaxException;
import org.popfetch.migrate.RememberedMailbox;
import org.popfetch.migrate.RememberedReader;
import org.popfetch.migrate.SeenFormat;
import org.popfetch.migrate.SeenImport;
import org.popfetch.migrate.Translation;
import org.popfetch.net.LogText;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.store.StateLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    subcommands = {ImportCommand.Fetchmailrc.class, ImportCommand.Seen.class})
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

  @Command(
      name = "seen",
      description = {
        "Record as seen what fetchmail (.fetchids), mpop (its UIDL files) or getmail6"
            + " (oldmail-* files) remembers of the mail it left on the server, so that the first"
            + " poll in keep mode fetches nothing old.",
        "Each mailbox they remember goes to the accounts with its server and user; what matches"
            + " no account is listed. Running it again changes nothing."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        " 0:everything was recorded (or was known already)",
        " 1:recorded, but a mailbox matched no account or a damaged line was skipped",
        " 5:configuration error, an unknown account, or a file that cannot be read",
        " 8:another popfetch is polling with the same state (stop it first)",
        "23:the state cannot be written",
        "64:usage error"
      })
  static final class Seen implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions options;

    @Option(
        names = "--from",
        paramLabel = "TOOL",
        description = "fetchmail, mpop or getmail (default: told from each file).")
    String from;

    @Option(
        names = {"-a", "--account"},
        paramLabel = "ACCOUNT",
        description = "Only this account (repeatable; default: all).")
    List<String> accounts = new ArrayList<>();

    @Parameters(
        paramLabel = "FILE",
        arity = "1..*",
        description =
            "Files, or directories of them (~/.mpop_uidls, a getmail directory's oldmail-*).")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Optional<SeenFormat> forced = Optional.empty();
      if (from != null) {
        forced =
            Stream.of(SeenFormat.values())
                .filter(f -> f.label().equals(from.toLowerCase(Locale.ROOT)))
                .findFirst();
        if (forced.isEmpty()) {
          err.println(
              "popfetch: --from "
                  + LogText.sanitize(from, 40)
                  + ": expected fetchmail, mpop or getmail");
          err.flush();
          return ExitStatus.USAGE.code;
        }
      }
      AccountRun.Plan plan;
      try {
        plan = AccountRun.plan(options, accounts, err, AccountRun.Secrets.AT_EACH_LOGIN);
        AccountRun.stateDirectory(plan.config(), err);
      } catch (AccountRun.Exit e) {
        return e.status;
      }
      List<String> problems = new ArrayList<>();
      List<RememberedMailbox> remembered = new ArrayList<>();
      try {
        for (Path f : expand(files, forced)) {
          Optional<SeenFormat> format = forced.isPresent() ? forced : detect(f);
          if (format.isEmpty()) {
            err.println(
                "popfetch: "
                    + LogText.sanitize(f.toString())
                    + ": not a file of fetchmail, mpop or getmail (say which with --from)");
            err.flush();
            return ExitStatus.SYNTAX.code;
          }
          remembered.addAll(RememberedReader.read(f, format.get(), problems));
        }
      } catch (IOException e) {
        err.println("popfetch: " + LogText.sanitize(String.valueOf(e.getMessage())));
        err.flush();
        return ExitStatus.SYNTAX.code;
      }
      List<ImportTarget> chosen =
          plan.targets().stream()
              .map(AccountRun.Target::config)
              .map(a -> new ImportTarget(a.name(), a.server(), a.port(), a.user(), a.scope()))
              .toList();
      SeenImport.Report report;
      try {
        AccountRun.localState(plan.config(), "import seen", err);
      } catch (AccountRun.Exit e) {
        return e.status;
      }
      try {
        Optional<StateLock> lock = StateLock.tryAcquire(plan.config().state().file());
        if (lock.isEmpty()) {
          err.println(
              "popfetch: another popfetch is polling with the state "
                  + plan.config().stateUrl()
                  + "; stop it, then import");
          err.flush();
          return ExitStatus.LOCKED.code;
        }
        try (StateLock held = lock.get();
            SeenUidStore store = SqliteSeenUidStore.open(plan.config().state().file())) {
          AccountWiring.adoptOldState(plan.config(), store);
          report = SeenImport.record(store, chosen, remembered, Instant.now());
        }
      } catch (IOException e) {
        err.println(
            "popfetch: the state "
                + plan.config().stateUrl()
                + ": "
                + LogText.sanitize(String.valueOf(e.getMessage())));
        err.flush();
        return ExitStatus.INTERNAL.code;
      }
      for (SeenImport.AccountResult r : report.accounts()) {
        out.println(
            r.account()
                + ": "
                + r.imported()
                + " imported, "
                + r.alreadyKnown()
                + " already known (from "
                + String.join(", ", r.from())
                + ")");
      }
      problems.forEach(err::println);
      report.unmatched().forEach(err::println);
      out.flush();
      err.flush();
      return problems.isEmpty() && report.unmatched().isEmpty() ? 0 : PARTLY;
    }

    /** Files as given; a directory's files (getmail's: only oldmail-*), in name order. */
    /**
     * Files as given; of a directory, in name order, the files of the format --from names, or
     * without it those that look like one of the three (a getmail directory also holds its
     * getmailrc, which is skipped).
     */
    private static List<Path> expand(List<Path> given, Optional<SeenFormat> forced)
        throws IOException {
      List<Path> out = new ArrayList<>();
      for (Path p : given) {
        if (!Files.isDirectory(p)) {
          out.add(p);
          continue;
        }
        List<Path> inside;
        try (Stream<Path> list = Files.list(p)) {
          inside =
              list.filter(Files::isRegularFile)
                  .filter(f -> !f.getFileName().toString().startsWith("."))
                  .sorted()
                  .toList();
        }
        for (Path f : inside) {
          boolean wanted =
              forced.isPresent()
                  ? forced.get() != SeenFormat.GETMAIL
                      || f.getFileName().toString().startsWith("oldmail-")
                  : detect(f).isPresent();
          if (wanted) {
            out.add(f);
          }
        }
      }
      return out;
    }

    private static Optional<SeenFormat> detect(Path f) throws IOException {
      byte[] head;
      try (InputStream in = Files.newInputStream(f)) {
        head = in.readNBytes(4096);
      } catch (IOException e) {
        throw new IOException(LogText.sanitize(f.toString()) + ": " + AccountRun.reason(e), e);
      }
      return SeenFormat.detect(f.getFileName().toString(), head);
    }
  }
}
