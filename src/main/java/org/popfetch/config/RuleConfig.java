package org.popfetch.config;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.popfetch.fetch.OversizeAction;

/**
 * One routing rule of an account.
 *
 * <pre>
 * rules:
 *   - match: { header: X-Spam-Flag, is: "YES" }
 *     action: delete
 *   - match: { header: List-Id, glob: "*&lt;big.lists.example.net&gt;*" }
 *     max-size: { size: 1M, action: notice }
 *     deliver: { maildir: /home/alice/Maildir, folder: Lists.big }
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
 * @param deliver one or more destinations; a maildir may name a Maildir++ folder; none for a rule
 *     that leaves or deletes
 * @param disposition what the rule does with what it matches (deliver, skip, delete) and its own
 *     max-size
 */
public record RuleConfig(
    Source source,
    String header,
    Kind kind,
    String pattern,
    List<Target> deliver,
    Disposition disposition) {
  public RuleConfig {
    deliver = List.copyOf(deliver);
  }

  /** A rule that delivers what it matches. */
  public RuleConfig(Source source, String header, Kind kind, String pattern, List<Target> deliver) {
    this(source, header, kind, pattern, deliver, Disposition.DELIVER);
  }

  /** What a rule does: {@code action: deliver} (the default), {@code skip} or {@code delete}. */
  public enum Action {
    DELIVER,
    SKIP,
    DELETE;

    /** The key that names it in the file: "deliver", "skip", "delete". */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What a rule does with the messages it matches, decided before they are fetched where the server
   * has TOP.
   *
   * @param maxSize for {@link Action#DELIVER}: a message larger than this is not fetched
   * @param oversize what becomes of such a message
   */
  public record Disposition(Action action, OptionalLong maxSize, OversizeAction oversize) {
    public static final Disposition DELIVER =
        new Disposition(Action.DELIVER, OptionalLong.empty(), OversizeAction.LEAVE);

    /** Whether it may delete mail on the server that was never fetched. */
    public boolean deletes() {
      return action == Action.DELETE || (maxSize.isPresent() && oversize == OversizeAction.DELETE);
    }
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
