package org.popfetch.autoconfig;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.pop3.TlsMode;

/**
 * The big providers, whose domains publish neither SRV records nor an autoconfig document of their
 * own. Checked against their published settings; the last resort, asked after DNS and autoconfig.
 */
public final class ProviderTable {
  private ProviderTable() {}

  private record Entry(String host, int port, Optional<String> oauth, String note) {}

  private static final Entry GOOGLE =
      new Entry(
          "pop.gmail.com",
          995,
          Optional.of("google"),
          "Gmail: enable POP in Gmail's settings (Forwarding and POP/IMAP) first");
  private static final Entry MICROSOFT =
      new Entry(
          "outlook.office365.com",
          995,
          Optional.of("microsoft"),
          "Microsoft: POP must be enabled for the mailbox; basic authentication is switched off");
  private static final Entry GMX = new Entry("pop.gmx.net", 995, Optional.empty(), "");
  private static final Entry YAHOO =
      new Entry(
          "pop.mail.yahoo.com",
          995,
          Optional.empty(),
          "Yahoo: log in with an app password made in the account's security settings");

  private static final Map<String, Entry> BY_DOMAIN =
      Map.ofEntries(
          Map.entry("gmail.com", GOOGLE),
          Map.entry("googlemail.com", GOOGLE),
          Map.entry("outlook.com", MICROSOFT),
          Map.entry("hotmail.com", MICROSOFT),
          Map.entry("live.com", MICROSOFT),
          Map.entry("msn.com", MICROSOFT),
          Map.entry("office365.com", MICROSOFT),
          Map.entry("gmx.net", GMX),
          Map.entry("gmx.de", GMX),
          Map.entry("gmx.at", GMX),
          Map.entry("gmx.ch", GMX),
          Map.entry("gmx.com", new Entry("pop.gmx.com", 995, Optional.empty(), "")),
          Map.entry("web.de", new Entry("pop3.web.de", 995, Optional.empty(), "")),
          Map.entry("yahoo.com", YAHOO),
          Map.entry("aol.com", new Entry("pop.aol.com", 995, Optional.empty(), "")));

  /** Providers known to have no POP3 at all, and what they offer instead. */
  private static final Map<String, String> NO_POP3 =
      Map.of(
          "icloud.com", "iCloud Mail offers IMAP only, no POP3",
          "me.com", "iCloud Mail offers IMAP only, no POP3",
          "mac.com", "iCloud Mail offers IMAP only, no POP3");

  /** Looks the domain up; Microsoft 365 tenants ({@code *.onmicrosoft.com}) count as Microsoft. */
  public static Finding find(EmailAddress address) {
    String domain = address.domain();
    String line = "built-in table: ";
    if (NO_POP3.containsKey(domain)) {
      return new Finding(Optional.empty(), List.of(line + NO_POP3.get(domain)), true);
    }
    Entry e = BY_DOMAIN.get(domain);
    if (e == null && domain.endsWith(".onmicrosoft.com")) {
      e = MICROSOFT;
    }
    if (e == null) {
      return Finding.none(List.of(line + "no entry for " + domain));
    }
    return new Finding(
        Optional.of(
            new Suggestion(
                e.host(),
                e.port(),
                TlsMode.IMPLICIT,
                address.toString(),
                e.oauth(),
                "popfetch's built-in table of providers",
                e.note().isEmpty() ? List.of() : List.of(e.note()))),
        List.of(line + e.host() + ":" + e.port()),
        false);
  }

  /** The OAuth preset for a server host, if popfetch has one. */
  static Optional<String> oauthProviderOf(String host) {
    if (host.equals("pop.gmail.com")) {
      return Optional.of("google");
    }
    if (host.equals("outlook.office365.com")) {
      return Optional.of("microsoft");
    }
    return Optional.empty();
  }
}
