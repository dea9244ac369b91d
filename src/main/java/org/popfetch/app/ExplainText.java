package org.popfetch.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.popfetch.config.AccountConfig;
import org.popfetch.fetch.AccountExplain;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.PollFailure;
import org.popfetch.net.LogText;

/**
 * How {@code popfetch explain} shows its reports: lines for a person, or one JSON document (the
 * form popfetch.yaml(5) documents under EXPLAIN, kept stable: members are added, never renamed or
 * removed, and {@code "explain"} is raised if that ever has to change).
 *
 * <p>Every string from a server or a message is escaped before it is printed: through {@link
 * LogText} in the lines, and in the JSON as {@code \\uXXXX} for every control, DEL, C1 and bidi
 * control character, so neither form can drive a terminal.
 */
final class ExplainText {
  /** The JSON document's version, its {@code "explain"} member. */
  static final int JSON_VERSION = 1;

  private ExplainText() {}

  /** One account's report with its configuration. */
  record Account(AccountConfig config, AccountExplain.Report report) {}

  /** The lines for a person, one account after another. */
  static List<String> text(List<Account> accounts) {
    List<String> lines = new ArrayList<>();
    for (Account a : accounts) {
      AccountExplain.Report r = a.report();
      String head = a.config().name() + " (" + a.config().server() + ":" + a.config().port() + ")";
      if (r.failure().isPresent()) {
        PollFailure f = r.failure().get();
        lines.add(head + ": failed: " + LogText.sanitize(f.message()) + "; " + f.remedy());
        continue;
      }
      lines.add(
          head
              + ": "
              + r.decisions().size()
              + " message(s)"
              + (r.top()
                  ? ""
                  : "; the server has no TOP: rules decide when a message is retrieved"));
      for (Decision d : r.decisions()) {
        lines.add("  " + line(d));
      }
    }
    return lines;
  }

  private static String line(Decision d) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%6d %10d %-14s %-16s",
            d.number(),
            d.size(),
            d.seen().key(),
            d.action().key()));
    if (!d.uid().isEmpty()) {
      sb.append(" uid ").append(LogText.sanitize(d.uid()));
    }
    d.deleteAt().ifPresent(t -> sb.append(" delete-after at ").append(t));
    if (!d.rule().isEmpty()) {
      sb.append(" by ").append(LogText.sanitize(d.rule()));
    }
    if (!d.destinations().isEmpty()) {
      sb.append(" -> ").append(LogText.sanitize(String.join(", ", d.destinations())));
    }
    d.sender().ifPresent(s -> sb.append(" from <").append(LogText.sanitize(s)).append('>'));
    if (!d.recipients().isEmpty()) {
      sb.append(" for <").append(LogText.sanitize(String.join(">, <", d.recipients()))).append('>');
    }
    d.subject().ifPresent(s -> sb.append(" subject \"").append(LogText.sanitize(s)).append('"'));
    return sb.toString();
  }

  /** The JSON document. */
  static String json(List<Account> accounts) {
    StringBuilder sb = new StringBuilder();
    sb.append("{\"explain\":").append(JSON_VERSION).append(",\"accounts\":[");
    for (int i = 0; i < accounts.size(); i++) {
      Account a = accounts.get(i);
      AccountExplain.Report r = a.report();
      sb.append(i == 0 ? "\n" : ",\n");
      sb.append("{\"account\":").append(string(a.config().name()));
      sb.append(",\"server\":").append(string(a.config().server()));
      sb.append(",\"port\":").append(a.config().port());
      sb.append(",\"top\":").append(r.top());
      sb.append(",\"error\":");
      if (r.failure().isPresent()) {
        PollFailure f = r.failure().get();
        sb.append("{\"kind\":")
            .append(string(f.kind().name().toLowerCase(Locale.ROOT)))
            .append(",\"message\":")
            .append(string(f.message()))
            .append('}');
      } else {
        sb.append("null");
      }
      sb.append(",\"messages\":[");
      for (int m = 0; m < r.decisions().size(); m++) {
        sb.append(m == 0 ? "\n" : ",\n").append(message(r.decisions().get(m)));
      }
      sb.append("]}");
    }
    sb.append("]}");
    return sb.toString();
  }

  private static String message(Decision d) {
    return "{\"number\":"
        + d.number()
        + ",\"uid\":"
        + string(d.uid())
        + ",\"size\":"
        + d.size()
        + ",\"seen\":"
        + string(d.seen().key())
        + ",\"action\":"
        + string(d.action().key())
        + ",\"rule\":"
        + (d.rule().isEmpty() ? "null" : string(d.rule()))
        + ",\"delete_at\":"
        + d.deleteAt().map(t -> string(t.toString())).orElse("null")
        + ",\"sender\":"
        + optional(d.sender())
        + ",\"subject\":"
        + optional(d.subject())
        + ",\"recipients\":"
        + array(d.recipients())
        + ",\"destinations\":"
        + array(d.destinations())
        + "}";
  }

  private static String optional(Optional<String> s) {
    return s.map(ExplainText::string).orElse("null");
  }

  private static String array(List<String> items) {
    List<String> each = new ArrayList<>();
    items.forEach(s -> each.add(string(s)));
    return "[" + String.join(",", each) + "]";
  }

  /** A JSON string (RFC 8259), with whatever could drive a terminal escaped as well. */
  static String string(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20
              || (c >= 0x7f && c <= 0x9f)
              || bidi(c)
              || Character.isSurrogate(c) && !validPair(s, i)) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static boolean bidi(char c) {
    return (c >= '\u200e' && c <= '\u200f')
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u061c'
        || c == '\u2028'
        || c == '\u2029';
  }

  /** Whether the surrogate at {@code i} is half of a well-formed pair. */
  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
