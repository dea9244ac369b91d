package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.Pop3Account;
import org.popfetch.net.IoReason;
import org.popfetch.net.LogText;

/**
 * Planning what a command works on, shared by {@code run}, {@code poll}, {@code check} and {@code
 * config check}: loading the configuration, choosing the accounts named on the command line,
 * resolving their secrets before any network traffic (or, for {@code run}, leaving them to each
 * login), and saying what is wrong with them in one line and an exit status. Running the accounts
 * is the job of {@code ParallelRun}, one poll that of {@code AccountPolling} (both in {@code
 * schedule}).
 */
final class AccountRun {
  private AccountRun() {}

  /** An account ready to poll: its configuration and the engine's view of it. */
  record Target(AccountConfig config, Pop3Account account) {
    String name() {
      return config.name();
    }

    String server() {
      return config.server();
    }

    int port() {
      return config.port();
    }
  }

  /** The configuration and the accounts to work on. */
  record Plan(PopfetchConfig config, List<Target> targets) {}

  /** Ends a command early with an exit status; the reason has been printed. */
  static final class Exit extends Exception {
    final int status;

    Exit(int status) {
      super(null, null, false, false);
      this.status = status;
    }
  }

  /** When an account's password or token is read. */
  enum Secrets {
    /**
     * Now, once, for a command that polls once ({@code poll}, {@code check}) or only checks ({@code
     * config check}): a secret that cannot be had shows up at once, not after half the accounts
     * were polled, and is used for that one login.
     */
    NOW,
    /**
     * At each login, by the service: a rotated password file or a token that expires is read afresh
     * each poll, and one that cannot be had fails that poll only.
     */
    AT_EACH_LOGIN
  }

  /**
   * Loads the configuration, picks the named accounts (all if none) and resolves every secret now
   * ({@link Secrets#NOW}).
   *
   * @throws Exit after printing why, with the exit status that calls for
   */
  static Plan plan(CommonOptions options, List<String> names, PrintWriter err) throws Exit {
    return plan(options, names, err, Secrets.NOW);
  }

  /**
   * Loads the configuration, picks the named accounts (all if none), and resolves their secrets now
   * or leaves them to each login.
   *
   * @throws Exit after printing why, with the exit status that calls for
   */
  static Plan plan(CommonOptions options, List<String> names, PrintWriter err, Secrets secrets)
      throws Exit {
    return plan(options, names, err, secrets, new OAuthAccounts(Clock.systemUTC()));
  }

  /**
   * As {@link #plan(CommonOptions, List, PrintWriter, Secrets)}, an OAuth account's tokens taken
   * from {@code oauth} (the service's, kept across reloads).
   *
   * @throws Exit after printing why, with the exit status that calls for
   */
  static Plan plan(
      CommonOptions options,
      List<String> names,
      PrintWriter err,
      Secrets secrets,
      OAuthAccounts oauth)
      throws Exit {
    PopfetchConfig config;
    try {
      config = ConfigLoader.load(options.config);
    } catch (ConfigException e) {
      throw new Exit(failed(e, err));
    }
    return plan(config, names, err, secrets, oauth);
  }

  /**
   * As {@link #plan(CommonOptions, List, PrintWriter)}, with the configuration already loaded (by
   * {@link #loadChecked}).
   *
   * @throws Exit after printing why, with the exit status that calls for
   */
  static Plan plan(PopfetchConfig config, List<String> names, PrintWriter err) throws Exit {
    return plan(config, names, err, Secrets.NOW, new OAuthAccounts(Clock.systemUTC()));
  }

  private static Plan plan(
      PopfetchConfig config,
      List<String> names,
      PrintWriter err,
      Secrets secrets,
      OAuthAccounts oauth)
      throws Exit {
    List<AccountConfig> selected = select(config, names, err);
    if (selected == null) {
      throw new Exit(ExitStatus.SYNTAX.code);
    }
    List<Target> targets = new ArrayList<>();
    for (AccountConfig a : selected) {
      try {
        targets.add(new Target(a, AccountWiring.account(a, config, secrets, oauth)));
      } catch (ConfigException e) {
        throw new Exit(failed(e, err));
      }
    }
    return new Plan(config, targets);
  }

  /**
   * The configuration {@code file} with every check {@link ConfigLoader#load(Path)} makes, or empty
   * if one fails: for a command that first asks the running service and otherwise does the work
   * itself, so that the file is read once in the usual case. When it is empty, the caller reads the
   * file again as it would have without this ({@link ServiceClient#socket}, then {@link #plan}),
   * which says what is wrong.
   */
  static Optional<PopfetchConfig> loadChecked(Path file) {
    try {
      return Optional.of(ConfigLoader.load(file));
    } catch (ConfigException e) {
      return Optional.empty();
    }
  }

  /**
   * Makes sure the directory of the state store exists (creating it, private, if need be), so that
   * a missing or unusable one is one clear line rather than a failure deep in the store.
   *
   * @throws Exit with {@link ExitStatus#INTERNAL} (the state store's status) after saying which
   *     directory and what to do
   */
  /**
   * Refuses a one-shot command on a shared state: it would poll outside the cluster's schedule and
   * leases. The service ({@code popfetch run}) polls a cluster's accounts; {@code poll} asks it.
   *
   * @throws Exit with {@link ExitStatus#SYNTAX} after one line saying what to do instead
   */
  static void localState(PopfetchConfig config, String command, PrintWriter err) throws Exit {
    if (config.state().clustered()) {
      err.println(
          "popfetch: "
              + command
              + " works on a single node's state; "
              + config.source()
              + " shares it ("
              + config.stateUrl()
              + "): start popfetch run on this node, then popfetch poll asks it");
      err.flush();
      throw new Exit(ExitStatus.SYNTAX.code);
    }
  }

  static void stateDirectory(PopfetchConfig config, PrintWriter err) throws Exit {
    usable(
        config.state().directory(),
        "the state directory",
        " (the systemd units have StateDirectory=popfetch), or point state.url in ",
        config,
        err);
  }

  /**
   * The same for the forwarding queue's directory, when an account forwards: {@code queue.dir}, by
   * default beside the state store.
   *
   * @throws Exit with {@link ExitStatus#INTERNAL} after one line naming it and what to do
   */
  static void queueDirectory(PopfetchConfig config, PrintWriter err) throws Exit {
    if (AccountWiring.forwards(config)) {
      usable(config.queue().dir(), "the queue directory", ", or point queue.dir in ", config, err);
    }
  }

  private static void usable(
      Path dir, String what, String alternative, PopfetchConfig config, PrintWriter err)
      throws Exit {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      // A file made and removed, not isWritable: the OS's own reason ("Read-only file
      // system" under ProtectSystem=, "Permission denied"), where isWritable says only no.
      // Named after this process and the clock, not by createTempFile, whose random names need
      // the process's first SecureRandom: the security providers and a digest set up at every
      // start for nothing. CREATE_NEW, as createTempFile: never a file or link already there.
      Path probe =
          dir.resolve(
              ".popfetch-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".probe");
      Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
      Files.delete(probe);
    } catch (IOException e) {
      err.println(
          "popfetch: cannot use "
              + what
              + " "
              + LogText.sanitize(dir.toString())
              + ": "
              + reason(e)
              + "; create it, writable by the user popfetch runs as"
              + alternative
              + config.source()
              + " elsewhere");
      err.flush();
      throw new Exit(ExitStatus.INTERNAL.code);
    }
  }

  /** An I/O failure in a few words: "Not a directory", not the exception's name and path. */
  static String reason(IOException e) {
    return LogText.sanitize(IoReason.of(e));
  }

  /** Prints a configuration problem and returns the exit status it calls for. */
  static int failed(ConfigException e, PrintWriter err) {
    err.println("popfetch: " + e.getMessage());
    err.flush();
    return ExitStatus.of(e.kind()).code;
  }

  /**
   * The accounts named, in config order, or all of them; null (after a message) if a name is
   * unknown.
   */
  private static List<AccountConfig> select(
      PopfetchConfig config, List<String> names, PrintWriter err) {
    if (names == null || names.isEmpty()) {
      return config.accounts();
    }
    for (String n : names) {
      if (config.account(n).isEmpty()) {
        err.println("popfetch: no account named " + n + " in " + config.source());
        return null;
      }
    }
    return config.accounts().stream().filter(a -> names.contains(a.name())).toList();
  }
}
