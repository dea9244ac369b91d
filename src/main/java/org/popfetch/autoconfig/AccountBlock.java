package org.popfetch.autoconfig;

import java.util.Locale;
import java.util.regex.Pattern;
import org.popfetch.pop3.TlsMode;

/**
 * The YAML account block to paste under {@code accounts:}, with where each answer came from as
 * comments. Every value in it is a checked host name, a number, or a quoted string.
 */
public final class AccountBlock {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._@+-]+");

  private AccountBlock() {}

  /**
   * Renders the block.
   *
   * @param oauthKeyRead whether this popfetch's configuration reader knows {@code oauth:}; if not,
   *     the oauth block is printed as a comment with a note
   */
  public static String render(
      EmailAddress address, Suggestion s, CapaCheck.Report check, boolean oauthKeyRead) {
    String name = accountName(address);
    StringBuilder b = new StringBuilder();
    b.append("# server: ").append(s.source()).append('\n');
    for (String w : s.warnings()) {
      b.append("# warning: ").append(w).append('\n');
    }
    if (check.failure().isPresent()) {
      b.append("# check: FAILED, could not read the server's capabilities: ")
          .append(check.failure().get())
          .append('\n');
    } else {
      b.append("# check: CAPA read over ")
          .append(check.secure() ? "TLS" : "a connection WITHOUT TLS")
          .append("; UIDL ")
          .append(check.uidl() ? "yes" : "NO (popfetch cannot tell old mail from new)")
          .append(", TOP ")
          .append(check.top() ? "yes" : "no")
          .append(", SASL ")
          .append(
              check.saslMechanisms().isEmpty() ? "none" : String.join(" ", check.saslMechanisms()));
      check.implementation().ifPresent(i -> b.append(", ").append(i));
      b.append('\n');
      if (s.oauth().isPresent()
          && check.saslMechanisms().stream()
              .noneMatch(m -> m.equals("XOAUTH2") || m.equals("OAUTHBEARER"))) {
        b.append("# warning: the server offers neither XOAUTH2 nor OAUTHBEARER\n");
      }
    }
    b.append("accounts:\n");
    b.append("  - name: ").append(name).append('\n');
    b.append("    server: ").append(s.host()).append('\n');
    b.append("    port: ").append(s.port()).append('\n');
    b.append("    tls: ").append(tls(s.tls())).append('\n');
    b.append("    user: ").append(yaml(s.user())).append('\n');
    if (s.oauth().isPresent()) {
      String oauth = "oauth: { provider: " + s.oauth().get() + ", client-id: YOUR-APP-CLIENT-ID }";
      if (oauthKeyRead) {
        b.append("    ").append(oauth).append("   # then: popfetch oauth login ").append(name);
        b.append('\n');
      } else {
        b.append("    # ").append(oauth).append('\n');
        b.append("    # (this popfetch does not read oauth: yet; until it does, give a token:)\n");
        b.append("    oauth-token: { file: /etc/popfetch/").append(name).append(".token }\n");
      }
    } else {
      b.append("    password: { file: /etc/popfetch/").append(name).append(".pass }");
      b.append("   # mode 600\n");
    }
    b.append("    deliver: { maildir: /var/mail/").append(name).append("/Maildir }   # change\n");
    return b.toString();
  }

  /** "alice-example-org": letters, digits and hyphens, safe as a name and a file name. */
  static String accountName(EmailAddress address) {
    String raw = (address.localPart() + "-" + address.domain()).toLowerCase(Locale.ROOT);
    String name = raw.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return name.isEmpty() ? "account" : name.length() > 60 ? name.substring(0, 60) : name;
  }

  private static String tls(TlsMode mode) {
    return switch (mode) {
      case IMPLICIT -> "implicit";
      case STARTTLS -> "starttls";
      case NONE -> "none   # no TLS: the password would cross the network in clear";
    };
  }

  /** A plain word as it is; anything else double-quoted with YAML escapes. */
  static String yaml(String text) {
    if (PLAIN.matcher(text).matches() && !text.startsWith("-")) {
      return text;
    }
    StringBuilder q = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        q.append('\\').append(c);
      } else if (c < ' ' || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        q.append(String.format("\\u%04x", (int) c));
      } else {
        q.append(c);
      }
    }
    return q.append('"').toString();
  }
}
