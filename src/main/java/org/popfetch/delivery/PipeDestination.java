package org.popfetch.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.net.IoReason;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each message to a delivery agent (procmail, maildrop, dovecot-lda...) run directly from an
 * argv list: no shell ever sees the command or the message's envelope.
 *
 * <p>An argument that is exactly {@code %{recipient}}, {@code %{sender}} or {@code %{account}} is
 * replaced, as a whole, by that value, reduced to a safe character set and never starting with "-",
 * so it can never become an option or more than one argument. The message goes to the program's
 * standard input from a private spool file; its standard error is captured into the log; its
 * environment holds only PATH, HOME and LANG, never a secret.
 *
 * <p>As root, popfetch runs an agent as the configured user (through setpriv), or as root only when
 * the config says so: an agent such as procmail -d drops privileges itself.
 *
 * <p>Outcome by exit status (sysexits.h): 0 delivered; 75 (TEMPFAIL), 71 (OSERR), 74 (IOERR), death
 * by a signal or the timeout: temporary, the message stays on the server; anything else: permanent,
 * the message is handed back for the quarantine. The agent has the message when {@link #stage}
 * returns; {@link #commit} has nothing left to do.
 */
public final class PipeDestination implements Destination {
  private static final Logger LOG = LoggerFactory.getLogger(PipeDestination.class);
  private static final Set<Integer> TEMPORARY = Set.of(75, 71, 74);
  private static final Set<String> PLACEHOLDERS = Set.of("%{recipient}", "%{sender}", "%{account}");
  private static final int STDERR_KEPT = 2000;

  private final List<String> argv;
  private final List<String> prefix;
  private final String home;
  private final Duration timeout;
  private final Path spoolDir;
  private final byte[] buffer = new byte[64 * 1024];

  /**
   * @param runAs run the agent as this user (needs root); empty: as popfetch itself
   * @param allowRoot let the agent run as root when popfetch is root and no user is given
   * @throws IllegalArgumentException if an argument holds a placeholder inside other text
   * @throws DeliveryException if the agent would run as root without {@code allowRoot}, or the user
   *     cannot be switched to
   */
  public PipeDestination(
      List<String> argv, Duration timeout, Path spoolDir, Optional<String> runAs, boolean allowRoot)
      throws DeliveryException {
    for (String a : argv) {
      if (a.contains("%{") && !PLACEHOLDERS.contains(a)) {
        throw new IllegalArgumentException(
            "placeholders stand alone as whole arguments ("
                + String.join(", ", PLACEHOLDERS)
                + "), not in "
                + a);
      }
    }
    this.argv = List.copyOf(argv);
    this.timeout = timeout;
    this.spoolDir = spoolDir;
    boolean root = Identity.isRoot();
    if (runAs.isPresent()) {
      if (!root) {
        throw DeliveryException.rejected(
            "cannot run "
                + argv.get(0)
                + " as "
                + runAs.get()
                + ": popfetch is not root (the system service never is); deliver with maildir: or"
                + " mbox: and user: through the user's delivery agent, or run the pipe from that"
                + " user's own popfetch@"
                + runAs.get()
                + ".service");
      }
      try {
        Identity.Account user = Identity.lookup(runAs.get());
        // setpriv (util-linux) switches user, group and supplementary groups, then execs the agent.
        this.prefix =
            List.of(
                "/usr/bin/setpriv",
                "--reuid=" + user.uid(),
                "--regid=" + user.gid(),
                "--init-groups",
                "--");
        this.home = user.home();
      } catch (IOException e) {
        throw DeliveryException.rejected(
            "cannot run " + argv.get(0) + " as " + runAs.get() + ": " + e.getMessage(), e);
      }
    } else {
      if (root && !allowRoot) {
        throw DeliveryException.rejected(
            "refusing to run "
                + argv.get(0)
                + " as root: give the pipe a user: to run it as, or allow-root: true"
                + " for an agent that drops privileges itself (procmail -d)");
      }
      this.prefix = List.of();
      this.home = System.getProperty("user.home", "/");
    }
    try {
      Files.createDirectories(
          spoolDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw DeliveryException.deferred(
          "cannot create spool directory " + spoolDir + ": " + IoReason.of(e), e);
    }
  }

  @Override
  public String describe() {
    return "pipe " + argv.get(0);
  }

  /** The command line for one message, placeholders replaced. */
  List<String> command(Incoming message) {
    List<String> out = new ArrayList<>(prefix);
    for (String a : argv) {
      out.add(
          switch (a) {
            case "%{recipient}" -> safe(message.envelope().recipient());
            case "%{sender}" ->
                message.envelope().sender().isEmpty()
                    ? "MAILER-DAEMON"
                    : safe(message.envelope().sender());
            case "%{account}" -> safe(message.account());
            default -> a;
          });
    }
    return out;
  }

  /** Letters, digits and . @ _ + = - only (as mpop allows); never a leading "-". */
  static String safe(String value) {
    StringBuilder sb = new StringBuilder(Math.min(value.length(), 256));
    for (int i = 0; i < value.length() && sb.length() < 256; i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || ".@_+=-".indexOf(c) >= 0;
      sb.append(ok ? c : '_');
    }
    if (sb.length() == 0) {
      return "_";
    }
    if (sb.charAt(0) == '-') {
      sb.setCharAt(0, '_');
    }
    return sb.toString();
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    Spool.File spool;
    try {
      spool = Spool.write(spoolDir, message.trace(), wireBody, Spool.Format.PLAIN, buffer);
    } catch (IOException e) {
      throw DeliveryException.deferred(
          "cannot spool a message for " + describe() + ": " + IoReason.of(e), e);
    }
    boolean keepSpool = false;
    Path stderr = null;
    try {
      stderr = Files.createTempFile(spoolDir, "stderr-", ".txt");
      List<String> command = command(message);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectInput(spool.path().toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(stderr.toFile());
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
      env.put("HOME", home);
      env.put("LANG", "C.UTF-8");
      Process process = pb.start();
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        killTree(process);
        throw DeliveryException.deferred(
            describe() + " did not finish within " + timeout.toSeconds() + "s" + said(stderr));
      }
      int status = process.exitValue();
      String words = said(stderr);
      if (status == 0) {
        if (!words.isEmpty()) {
          LOG.info("{}: {} said{}", message.account(), describe(), words);
        }
        return new Delivered(spool.size());
      }
      boolean temporary = TEMPORARY.contains(status) || status > 128;
      String why = describe() + " exited with " + status + sysexit(status) + words;
      if (temporary) {
        throw DeliveryException.deferred(why);
      }
      keepSpool = true;
      throw DeliveryException.rejectedWithCopy(why, spool.path());
    } catch (IOException e) {
      if (e instanceof DeliveryException d) {
        throw d;
      }
      throw DeliveryException.deferred("cannot run " + describe() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DeliveryException.deferred("interrupted while " + describe() + " ran", e);
    } finally {
      deleteQuietly(stderr);
      if (!keepSpool) {
        deleteQuietly(spool.path());
      }
    }
  }

  private static String sysexit(int status) {
    return switch (status) {
      case 64 -> " (EX_USAGE)";
      case 65 -> " (EX_DATAERR)";
      case 66 -> " (EX_NOINPUT)";
      case 67 -> " (EX_NOUSER)";
      case 68 -> " (EX_NOHOST)";
      case 69 -> " (EX_UNAVAILABLE)";
      case 70 -> " (EX_SOFTWARE)";
      case 71 -> " (EX_OSERR)";
      case 72 -> " (EX_OSFILE)";
      case 73 -> " (EX_CANTCREAT)";
      case 74 -> " (EX_IOERR)";
      case 75 -> " (EX_TEMPFAIL)";
      case 76 -> " (EX_PROTOCOL)";
      case 77 -> " (EX_NOPERM)";
      case 78 -> " (EX_CONFIG)";
      default -> status > 128 ? " (killed by signal " + (status - 128) + ")" : "";
    };
  }

  /** The program's standard error, as one safe log fragment. */
  private static String said(Path stderr) throws IOException {
    if (stderr == null || !Files.exists(stderr)) {
      return "";
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(stderr)) {
      bytes = in.readNBytes(STDERR_KEPT);
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "" : ": " + LogText.sanitize(text);
  }

  /** The agent and everything it started: destroy() alone would leave grandchildren running. */
  private static void killTree(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // private temporary files; nothing depends on their removal
      }
    }
  }

  @Override
  public void commit(List<Staged> batch) {
    // Delivered when the agent exited 0.
  }

  @Override
  public void discard(List<Staged> batch) {
    // Nothing can be taken back from a program that already has the message.
  }

  private record Delivered(long size) implements Staged {}
}
