package org.popfetch.app;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.net.LogText;
import org.popfetch.oauth.OAuthException;
import org.popfetch.oauth.OAuthLogin;
import org.popfetch.oauth.TokenEndpoint;
import org.popfetch.oauth.TokenStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch oauth login} and {@code oauth status}: the one-time authorization of an account
 * with an {@code oauth:} block, and what is stored for each. The refresh token goes to the token
 * store in the state directory and nowhere else; neither command ever prints a token.
 */
@Command(
    name = "oauth",
    description = "Authorize accounts that log in with OAuth 2.0, and show their state.",
    subcommands = {OAuthCommand.Login.class, OAuthCommand.Status.class})
final class OAuthCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The configuration file option of both subcommands. */
  static final class ConfigOption {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "Configuration file (default: ${DEFAULT-VALUE}).",
        defaultValue = "/etc/popfetch/popfetch.yaml")
    Path config = CommonOptions.DEFAULT_CONFIG;
  }

  @Command(
      name = "login",
      description = {
        "Authorize one account once, interactively, and store its refresh token in the state"
            + " directory.",
        "Microsoft accounts show a code to enter in any browser; Google accounts show a URL that"
            + " redirects to 127.0.0.1 (on a server without a browser, forward the port with"
            + " ssh -L as printed).",
        "A running service uses the new token from its next poll on."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        " 0:authorized, the refresh token stored",
        " 5:configuration error, no such account, no oauth block, or the authorization failed",
        " 6:secrets readable by others",
        "23:the state directory cannot be created or written",
        "64:usage error"
      })
  static final class Login implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOption options;

    @Option(
        names = "--port",
        paramLabel = "N",
        description =
            "Port on 127.0.0.1 where the loopback flow waits for the redirect (default: any free"
                + " port).")
    int port;

    @Parameters(paramLabel = "ACCOUNT", description = "The account to authorize.")
    String account;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (port < 0 || port > 65535) {
        throw new ParameterException(spec.commandLine(), "--port must be 0..65535, got " + port);
      }
      PopfetchConfig config;
      AccountConfig a;
      TokenEndpoint endpoint;
      try {
        config = ConfigLoader.load(options.config);
        a = oauthAccount(config, account, err);
        if (a == null) {
          return ExitStatus.SYNTAX.code;
        }
        AccountRun.stateDirectory(config, err);
        endpoint = OAuthAccounts.endpoint(a, AccountRun.Secrets.NOW);
      } catch (ConfigException e) {
        return AccountRun.failed(e, err);
      } catch (AccountRun.Exit e) {
        return e.status;
      }
      try (PrintStream lines = lineStream(out)) {
        OAuthLogin.login(
            a.name(),
            endpoint,
            TokenStore.inStateDirectory(config.state().directory()),
            lines,
            port,
            d -> Thread.sleep(d.toMillis()),
            Clock.systemUTC());
      } catch (OAuthException e) {
        err.println(
            "popfetch: oauth login "
                + a.name()
                + ": "
                + LogText.sanitize(String.valueOf(e.getMessage())));
        err.flush();
        return ExitStatus.SYNTAX.code;
      }
      out.println(
          "Next: popfetch check "
              + a.name()
              + " logs in with it. A running service takes it at its next poll (popfetch poll "
              + a.name()
              + " polls now); nothing to restart.");
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "status",
      description = {
        "Show for each account with an oauth block (or those named) whether it is authorized and"
            + " when its refresh token was stored; never a token.",
        "The running service's access-token expiry, last refresh and refresh failures are in its"
            + " metrics (popfetch_oauth_*)."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        " 0:every account shown is authorized",
        " 1:an account is not authorized, its grant was refused, or its token file cannot be used",
        " 5:configuration error, no such account, or no account with an oauth block",
        "64:usage error"
      })
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOption options;

    @Parameters(
        paramLabel = "ACCOUNT",
        arity = "0..*",
        description = "Accounts to show (default: all with an oauth block).")
    List<String> accounts;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      PopfetchConfig config;
      List<AccountConfig> shown = new ArrayList<>();
      try {
        config = ConfigLoader.load(options.config, false);
      } catch (ConfigException e) {
        return AccountRun.failed(e, err);
      }
      if (accounts == null || accounts.isEmpty()) {
        config.accounts().stream().filter(a -> a.oauth().isPresent()).forEach(shown::add);
        if (shown.isEmpty()) {
          err.println("popfetch: no account in " + config.source() + " has an oauth block");
          err.flush();
          return ExitStatus.SYNTAX.code;
        }
      } else {
        for (String name : accounts) {
          AccountConfig a = oauthAccount(config, name, err);
          if (a == null) {
            return ExitStatus.SYNTAX.code;
          }
          shown.add(a);
        }
      }
      TokenStore store = TokenStore.inStateDirectory(config.state().directory());
      out.printf("%-20s %-10s %s%n", "ACCOUNT", "PROVIDER", "STATE");
      boolean all = true;
      for (AccountConfig a : shown) {
        String provider = a.oauth().get().provider().name().toLowerCase(Locale.ROOT);
        String state;
        try {
          Optional<TokenStore.Stored> stored = store.read(a.name());
          Optional<Instant> refused =
              stored.isEmpty()
                  ? Optional.empty()
                  : store.refusedAt(a.name(), stored.get().refreshToken());
          if (refused.isPresent()) {
            state =
                "refused by the authorization server "
                    + refused.get()
                    + " (invalid_grant); run popfetch oauth login "
                    + a.name();
            all = false;
          } else if (stored.isPresent()) {
            state = "authorized, refresh token stored " + stored.get().saved();
          } else {
            state = "not authorized; run popfetch oauth login " + a.name();
            all = false;
          }
        } catch (OAuthException e) {
          // The store's reason names the file and the remedy; it never holds the token.
          state = "unusable: " + LogText.sanitize(String.valueOf(e.getMessage()));
          all = false;
        }
        out.printf("%-20s %-10s %s%n", a.name(), provider, state);
      }
      out.flush();
      return all ? 0 : ExitStatus.NO_MAIL.code;
    }
  }

  /** The named account if it has an oauth block; else null, after one line saying why. */
  private static AccountConfig oauthAccount(PopfetchConfig config, String name, PrintWriter err) {
    Optional<AccountConfig> a = config.account(name);
    if (a.isEmpty()) {
      err.println(
          "popfetch: no account named " + LogText.sanitize(name) + " in " + config.source());
    } else if (a.get().oauth().isEmpty()) {
      err.println(
          "popfetch: account "
              + name
              + " has no oauth block in "
              + config.source()
              + "; add one (see popfetch.yaml(5), OAUTH)");
    } else {
      return a.get();
    }
    err.flush();
    return null;
  }

  /** A stream that hands each whole line to {@code out} at once, for the interactive flows. */
  private static PrintStream lineStream(PrintWriter out) {
    OutputStream lines =
        new OutputStream() {
          private final ByteArrayOutputStream line = new ByteArrayOutputStream();

          @Override
          public void write(int b) {
            line.write(b);
            if (b == '\n') {
              flush();
            }
          }

          @Override
          public void flush() {
            out.print(line.toString(StandardCharsets.UTF_8));
            out.flush();
            line.reset();
          }
        };
    return new PrintStream(lines, true, StandardCharsets.UTF_8);
  }
}
