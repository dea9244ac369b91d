package org.popfetch.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.DeliverConfig;
import org.popfetch.config.MultidropConfig;
import org.popfetch.config.OAuthConfig;
import org.popfetch.config.RuleConfig;
import org.popfetch.config.Schedule;
import org.popfetch.config.Secret;
import org.popfetch.config.Switches;
import org.popfetch.fetch.FetchPolicy;
import org.popfetch.fetch.OversizeAction;
import org.popfetch.net.LogText;

/**
 * A loaded configuration written back in the file's own words ({@code config check}): the keys and
 * flow style an admin writes ({@code deliver: { pipe: [/usr/bin/procmail, -d, alice], user: alice
 * }}), never a Java record's {@code toString}. Defaults the loader filled in are shown, so the
 * admin sees what popfetch will do; a secret written in the file is shown as {@code "****"}, one
 * read from elsewhere by where it comes from. Every value is quoted as YAML needs and escaped for a
 * terminal.
 */
final class ConfigText {
  private static final Duration DEFAULT_PIPE_TIMEOUT = Duration.ofMinutes(10);

  /** What YAML reads as a plain string, in flow context too; anything else is double-quoted. */
  private static final Pattern PLAIN =
      Pattern.compile("[A-Za-z0-9_./@+=~$-](?:[A-Za-z0-9_./@+=~$:-]*[A-Za-z0-9_./@+=~$-])?");

  /** Words YAML would read as something other than a string. */
  private static final Pattern SPECIAL =
      Pattern.compile("(?i)true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.:eE+-]*|\\.(nan|inf)");

  private ConfigText() {}

  /** One account as a YAML list item, indented by {@code indent}, one line per key. */
  static List<String> account(AccountConfig a, String indent) {
    List<String> lines = new ArrayList<>();
    lines.add(indent + "- name: " + scalar(a.name()));
    String in = indent + "  ";
    lines.add(in + "server: " + scalar(a.server()));
    lines.add(in + "port: " + a.port());
    lines.add(in + "tls: " + key(a.tls().name()));
    a.caFile().ifPresent(f -> lines.add(in + "ca-file: " + path(f)));
    a.fingerprint().ifPresent(f -> lines.add(in + "fingerprint: " + fingerprint(f)));
    lines.add(in + "user: " + scalar(a.user()));
    a.password().ifPresent(s -> lines.add(in + "password: " + secret(s)));
    a.oauthToken().ifPresent(s -> lines.add(in + "oauth-token: " + secret(s)));
    a.oauth().ifPresent(o -> lines.add(in + "oauth: " + oauth(o)));
    lines.add(in + "auth: " + key(a.auth().name()));
    if (a.schedule() instanceof Schedule.Cron c) {
      lines.add(in + "cron: " + quoted(c.expression()));
    } else {
      lines.add(in + "interval: " + duration(a.schedule().interval()));
    }
    lines.add(in + "keep: " + a.keep());
    a.deleteAfter().ifPresent(d -> lines.add(in + "delete-after: " + duration(d)));
    a.maxSize()
        .ifPresent(s -> lines.add(in + "max-size: " + maxSize(s, a.preDownload().oversize())));
    a.fetchLimit().ifPresent(n -> lines.add(in + "fetch-limit: " + n));
    if (a.fullListingEvery() != FetchPolicy.DEFAULT_FULL_LISTING_EVERY) {
      lines.add(in + "full-listing-every: " + a.fullListingEvery());
    }
    lines.add(in + "timeout: " + duration(a.timeout()));
    lines.add(in + "deliver: " + deliver(a.deliver()));
    a.recipientHeader().ifPresent(h -> lines.add(in + "recipient-header: " + scalar(h)));
    if (!a.rules().isEmpty()) {
      lines.add(in + "rules:");
      for (RuleConfig r : a.rules()) {
        lines.add(in + "  - match: " + match(r));
        RuleConfig.Disposition d = r.disposition();
        if (d.action() != RuleConfig.Action.DELIVER) {
          lines.add(in + "    action: " + d.action().key());
          continue;
        }
        d.maxSize().ifPresent(s -> lines.add(in + "    max-size: " + maxSize(s, d.oversize())));
        lines.add(in + "    deliver: " + targets(r.deliver()));
      }
    }
    a.uidScope().ifPresent(s -> lines.add(in + "uid-scope: " + scalar(s)));
    a.multidrop().ifPresent(m -> lines.addAll(multidrop(m, in)));
    Switches sw = a.switches();
    Switches d = Switches.DEFAULT;
    if (sw.received() != d.received()) {
      lines.add(in + "received: " + sw.received());
    }
    if (sw.deliveredTo() != d.deliveredTo()) {
      lines.add(in + "delivered-to: " + sw.deliveredTo());
    }
    if (sw.dropDeliveredTo() != d.dropDeliveredTo()) {
      lines.add(in + "drop-delivered-to: " + sw.dropDeliveredTo());
    }
    if (sw.dropStatus() != d.dropStatus()) {
      lines.add(in + "drop-status: " + sw.dropStatus());
    }
    if (sw.lineEndings() != d.lineEndings()) {
      lines.add(in + "line-endings: " + key(sw.lineEndings().name()));
    }
    return lines.stream().map(LogText::sanitize).toList();
  }

  /** A multidrop block, its key on a line of its own and each of its keys below it. */
  private static List<String> multidrop(MultidropConfig m, String in) {
    List<String> lines = new ArrayList<>();
    lines.add(in + "multidrop:");
    String i2 = in + "  ";
    if (!m.envelope().isEmpty()) {
      lines.add(
          i2
              + "envelope: ["
              + String.join(
                  ", ",
                  m.envelope().stream()
                      .map(e -> "{ header: " + scalar(e.header()) + ", skip: " + e.skip() + " }")
                      .toList())
              + "]");
    }
    m.stripPrefix().ifPresent(p -> lines.add(i2 + "strip-prefix: " + scalar(p)));
    if (!m.localDomains().isEmpty()) {
      lines.add(i2 + "local-domains: " + list(m.localDomains()));
    }
    if (!m.aka().isEmpty()) {
      lines.add(i2 + "aka: " + list(m.aka()));
    }
    if (!m.map().isEmpty()) {
      lines.add(
          i2
              + "map: { "
              + String.join(
                  ", ",
                  m.map().entrySet().stream()
                      .map(e -> scalar(e.getKey()) + ": " + scalar(e.getValue()))
                      .toList())
              + " }");
    }
    if (!m.users().isEmpty()) {
      lines.add(i2 + "users:");
      m.users().forEach((name, d) -> lines.add(i2 + "  " + scalar(name) + ": " + deliver(d)));
    }
    m.postmaster().ifPresent(p -> lines.add(i2 + "postmaster: " + scalar(p)));
    if (m.dedupe().acrossAccounts()) {
      lines.add(
          i2 + "dedupe: { across-accounts: true, keep: " + duration(m.dedupe().keep()) + " }");
    }
    return lines;
  }

  /** A destination in flow style: {@code { maildir: /home/alice/Maildir }}. */
  static String deliver(DeliverConfig d) {
    return "{ " + String.join(", ", fields(d)) + " }";
  }

  private static List<String> fields(DeliverConfig d) {
    List<String> f = new ArrayList<>();
    if (d instanceof DeliverConfig.Maildir m) {
      f.add("maildir: " + path(m.path()));
      m.user().ifPresent(u -> f.add("user: " + scalar(u)));
    } else if (d instanceof DeliverConfig.Mbox m) {
      f.add("mbox: " + path(m.path()));
      m.user().ifPresent(u -> f.add("user: " + scalar(u)));
    } else if (d instanceof DeliverConfig.Pipe p) {
      f.add("pipe: " + list(p.argv()));
      if (!p.timeout().equals(DEFAULT_PIPE_TIMEOUT)) {
        f.add("timeout: " + duration(p.timeout()));
      }
      p.user().ifPresent(u -> f.add("user: " + scalar(u)));
      if (p.allowRoot()) {
        f.add("allow-root: true");
      }
    } else if (d instanceof DeliverConfig.Smtp s) {
      f.add("smtp: " + smtp(s));
    }
    return f;
  }

  private static String smtp(DeliverConfig.Smtp s) {
    List<String> f = new ArrayList<>();
    if (s.mx()) {
      f.add("mx: true");
    } else {
      f.add("host: " + scalar(s.host()));
      f.add("port: " + s.port());
    }
    f.add("tls: " + key(s.tls().name()));
    if (s.lmtp()) {
      f.add("lmtp: true");
    }
    s.user().ifPresent(u -> f.add("user: " + scalar(u)));
    s.password().ifPresent(p -> f.add("password: " + secret(p)));
    if (!s.to().isEmpty()) {
      f.add("to: " + list(s.to()));
    }
    s.caFile().ifPresent(c -> f.add("ca-file: " + path(c)));
    s.fingerprint().ifPresent(p -> f.add("fingerprint: " + fingerprint(p)));
    return "{ " + String.join(", ", f) + " }";
  }

  /** The oauth block in flow style; a client secret as {@link #secret} shows it. */
  private static String oauth(OAuthConfig o) {
    List<String> f = new ArrayList<>();
    f.add("provider: " + key(o.provider().name()));
    f.add("client-id: " + scalar(o.clientId()));
    o.tenant().ifPresent(t -> f.add("tenant: " + scalar(t)));
    o.clientSecret().ifPresent(s -> f.add("client-secret: " + secret(s)));
    o.tokenEndpoint().ifPresent(u -> f.add("token-endpoint: " + scalar(u.toString())));
    o.deviceEndpoint().ifPresent(u -> f.add("device-endpoint: " + scalar(u.toString())));
    o.authorizationEndpoint()
        .ifPresent(u -> f.add("authorization-endpoint: " + scalar(u.toString())));
    o.scope().ifPresent(s -> f.add("scope: " + scalar(s)));
    o.flow().ifPresent(fl -> f.add("flow: " + key(fl.name())));
    return "{ " + String.join(", ", f) + " }";
  }

  /** A max-size as written: a plain size when larger messages are left. */
  private static String maxSize(long size, OversizeAction action) {
    return action == OversizeAction.LEAVE
        ? size(size)
        : "{ size: " + size(size) + ", action: " + action.key() + " }";
  }

  /** A rule's match in flow style, as explain names the rule too. */
  static String match(RuleConfig r) {
    String how = r.kind().key() + ": " + quoted(r.pattern());
    if (r.source() == RuleConfig.Source.HEADER) {
      return "{ header: " + scalar(r.header()) + ", " + how + " }";
    }
    return "{ " + r.source().key() + ": { " + how + " } }";
  }

  private static String targets(List<RuleConfig.Target> targets) {
    List<String> each = new ArrayList<>();
    for (RuleConfig.Target t : targets) {
      List<String> f = fields(t.destination());
      if (!t.folder().isEmpty()) {
        f.add("folder: " + scalar(t.folder()));
      }
      each.add("{ " + String.join(", ", f) + " }");
    }
    return each.size() == 1 ? each.get(0) : "[ " + String.join(", ", each) + " ]";
  }

  /** A secret's source; a value written in the file itself stays hidden. */
  static String secret(Secret s) {
    if (s instanceof Secret.FromEnv e) {
      return "{ env: " + scalar(e.variable()) + " }";
    } else if (s instanceof Secret.FromFile f) {
      return "{ file: " + path(f.file()) + " }";
    } else if (s instanceof Secret.FromCommand c) {
      return "{ command: " + list(c.argv()) + " }";
    }
    return "\"****\"";
  }

  /** The largest unit that says it exactly: 5m, 36h, 90s, 1500ms. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    } else if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    } else if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    } else if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** In the largest power-of-1024 unit that says it exactly (units as {@code Sizes} reads them). */
  static String size(long bytes) {
    String[] units = {"GB", "MB", "KB"};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << (10 * (3 - i));
      if (bytes != 0 && bytes % unit == 0) {
        return bytes / unit + units[i];
      }
    }
    return Long.toString(bytes);
  }

  private static String fingerprint(byte[] sha256) {
    return quoted("sha256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256));
  }

  private static String key(String enumName) {
    return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String path(Path p) {
    return scalar(p.toString());
  }

  private static String list(List<String> items) {
    return "[" + String.join(", ", items.stream().map(ConfigText::scalar).toList()) + "]";
  }

  /** A string as YAML reads it back: plain where that is unambiguous, else double-quoted. */
  static String scalar(String s) {
    return PLAIN.matcher(s).matches() && !SPECIAL.matcher(s).matches() ? s : quoted(s);
  }

  private static String quoted(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
