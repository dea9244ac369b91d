package org.popfetch.app;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.popfetch.autoconfig.AccountBlock;
import org.popfetch.autoconfig.AutoconfigLookup;
import org.popfetch.autoconfig.CapaCheck;
import org.popfetch.autoconfig.Discovery;
import org.popfetch.autoconfig.EmailAddress;
import org.popfetch.autoconfig.SrvLookup;
import org.popfetch.autoconfig.Suggestion;
import org.popfetch.config.HostPort;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch configure ADDRESS}: finds the POP3 server for an address (SRV records, the
 * autoconfig document, the built-in table), checks its capabilities and prints an account block.
 */
@Command(
    name = "configure",
    description = {
      "Find the POP3 server for an e-mail address and print an account block for the"
          + " configuration: DNS SRV records (RFC 6186, _pop3s then _pop3), then the domain's"
          + " autoconfig document, then a built-in table of big providers. The server's"
          + " capabilities are checked (no login) before anything is suggested.",
      "Exit status: 0 a server was found (even if its check failed: see the comments),"
          + " 68 none was found or the domain offers no POP3, 64 not an address."
    })
final class ConfigureCommand implements Callable<Integer> {
  static final int FOUND = 0;

  /** sysexits' EX_NOHOST, as mpop --configure uses. */
  static final int NOTHING_FOUND = 68;

  /** The oauth: account key is read by this version's configuration reader. */
  static final boolean OAUTH_KEY_READ = true;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ADDRESS", description = "The e-mail address, e.g. alice@example.org.")
  String address;

  @Option(
      names = "--resolver",
      paramLabel = "HOST:PORT",
      description = "DNS server to ask for the SRV records (default: the system's).")
  String resolver;

  @Option(
      names = "--autoconfig-url",
      paramLabel = "URL",
      description =
          "Ask this URL for the autoconfig document instead of https://autoconfig.DOMAIN/..."
              + " and https://DOMAIN/.well-known/...; emailaddress=ADDRESS is added to it.")
  String autoconfigUrl;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description = "Trust this CA (PEM) for the check instead of the system's.")
  Path caFile;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description =
          "For each DNS query, download and the server check (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--no-check", description = "Do not connect to the server found.")
  boolean noCheck;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EmailAddress addr;
    try {
      addr = EmailAddress.parse(address.strip());
    } catch (IllegalArgumentException e) {
      err.println("popfetch configure: " + LogText.sanitize(address, 100) + ": " + e.getMessage());
      return ExitStatus.USAGE.code;
    }
    if (timeoutSeconds < 1 || timeoutSeconds > 300) {
      err.println("popfetch configure: --timeout must be 1 to 300 seconds");
      return ExitStatus.USAGE.code;
    }
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    Optional<InetSocketAddress> dns = Optional.empty();
    if (resolver != null) {
      Optional<HostPort> hp = HostPort.parse(resolver);
      if (hp.isEmpty()) {
        err.println(
            "popfetch configure: --resolver: expected HOST:PORT, got "
                + LogText.sanitize(resolver, 100));
        return ExitStatus.USAGE.code;
      }
      dns = Optional.of(hp.get().socketAddress());
    }
    Optional<URI> override = Optional.empty();
    if (autoconfigUrl != null) {
      try {
        URI u = new URI(autoconfigUrl);
        String scheme = String.valueOf(u.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
          throw new URISyntaxException(autoconfigUrl, "not an http or https URL");
        }
        override = Optional.of(u);
      } catch (URISyntaxException e) {
        err.println("popfetch configure: --autoconfig-url: " + LogText.sanitize(e.getMessage()));
        return ExitStatus.USAGE.code;
      }
    }
    SrvLookup srv;
    try {
      srv = new SrvLookup(dns, timeout);
    } catch (UnknownHostException e) {
      err.println("popfetch configure: no DNS resolver: " + LogText.sanitize(e.getMessage()));
      return ExitStatus.SOCKET.code;
    }
    Discovery.Outcome outcome =
        Discovery.standard(srv, new AutoconfigLookup(override, timeout)).find(addr);
    out.println("# popfetch configure " + addr);
    for (String line : outcome.tried()) {
      out.println("#   " + line);
    }
    if (outcome.suggestion().isEmpty()) {
      out.flush();
      err.println(
          "popfetch configure: no POP3 server found for "
              + addr.domain()
              + " (see the lines above); ask the provider for its POP3 server and port");
      return NOTHING_FOUND;
    }
    Suggestion s = outcome.suggestion().get();
    CapaCheck.Report report;
    if (noCheck) {
      report =
          new CapaCheck.Report(
              Optional.of("not checked (--no-check)"),
              false,
              false,
              List.of(),
              false,
              false,
              Optional.empty());
    } else {
      TlsTrust trust = caFile == null ? TlsTrust.SYSTEM : TlsTrust.withCaFile(caFile);
      report = CapaCheck.check(s, trust, new Timeouts(timeout, timeout), ProtocolTrace.NONE);
    }
    out.print(AccountBlock.render(addr, s, report, OAUTH_KEY_READ));
    out.flush();
    return FOUND;
  }
}
