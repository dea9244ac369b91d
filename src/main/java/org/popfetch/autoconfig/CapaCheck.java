package org.popfetch.autoconfig;

import java.util.List;
import java.util.Optional;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.Capabilities;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3Settings;

/**
 * Connects to a suggested server the way popfetch will (TLS as suggested, certificates checked),
 * reads its capabilities and says goodbye, without logging in.
 */
public final class CapaCheck {
  private CapaCheck() {}

  /**
   * What the server said.
   *
   * @param failure why the check failed (escaped); empty when it succeeded
   */
  public record Report(
      Optional<String> failure,
      boolean secure,
      boolean stls,
      List<String> saslMechanisms,
      boolean uidl,
      boolean top,
      Optional<String> implementation) {
    static Report failed(String why) {
      return new Report(Optional.of(why), false, false, List.of(), false, false, Optional.empty());
    }
  }

  /** Checks the server. Never throws: a failure is in the report, with the server's words. */
  public static Report check(Suggestion s, TlsTrust trust, Timeouts timeouts, ProtocolTrace trace) {
    Pop3Settings settings =
        Pop3Settings.implicitTls(s.host(), s.port())
            .withTls(s.tls())
            .withTrust(trust)
            .withTimeouts(timeouts);
    try (Pop3Client client = Pop3Client.connect(settings, trace)) {
      Capabilities c = client.capabilities();
      Report r =
          new Report(
              Optional.empty(),
              client.isSecure(),
              c.stls(),
              c.saslMechanisms().stream().sorted().map(m -> LogText.sanitize(m, 40)).toList(),
              c.has("UIDL"),
              c.has("TOP"),
              c.implementation().map(i -> LogText.sanitize(i, 100)));
      if (!c.advertised()) {
        r =
            new Report(
                Optional.of("the server does not answer CAPA"),
                r.secure(),
                false,
                List.of(),
                false,
                false,
                Optional.empty());
      }
      try {
        client.quit();
      } catch (Pop3Exception e) {
        // The answer is in; a server that hangs up on QUIT changes nothing.
      }
      return r;
    } catch (Pop3Exception | RuntimeException e) {
      return Report.failed(LogText.sanitize(String.valueOf(e.getMessage()), 300));
    }
  }
}
