package org.popfetch.config;

import java.util.List;
import java.util.Locale;

/**
 * One routing rule of an account.
 *
 * <pre>
 * rules:
 *   - match: { header: List-Id, glob: "*&lt;dev.lists.example.net&gt;*" }
 *     deliver: { maildir: /home/alice/Maildir, folder: Lists.dev }
 *   - match: { recipient: { is: bob@example.org } }
 *     deliver: [ { mbox: /var/mail/bob }, { pipe: [/usr/bin/procmail, -d, bob] } ]
 * </pre>
 *
 * @param source what the rule looks at
 * @param header the header field's name, for {@link Source#HEADER}
 * @param kind how it compares
 * @param pattern what to compare with
 * @param deliver one or more destinations; a maildir may name a Maildir++ folder
 */
public record RuleConfig(
    Source source, String header, Kind kind, String pattern, List<Target> deliver) {
  public RuleConfig {
    deliver = List.copyOf(deliver);
  }

  /** What a rule looks at: a header field, or the envelope's recipient or sender. */
  public enum Source {
    HEADER,
    RECIPIENT,
    SENDER;

    /** The key that names it in the file: "header", "recipient", "sender". */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a rule compares: exactly (ignoring case), by glob, or by an RE2 regular expression. */
  public enum Kind {
    IS,
    GLOB,
    REGEX;

    /** The key that names it in the file: "is", "glob", "regex". */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A destination of a rule, with the Maildir++ folder ("" for the Maildir itself). */
  public record Target(DeliverConfig destination, String folder) {}
}
