package org.popfetch.delivery;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.popfetch.fetch.Incoming;

/**
 * One routing condition: a header field (by name, case-insensitive as RFC 5322 has it) or the
 * envelope's recipient or sender, compared exactly (ignoring case), by glob ({@code *} and {@code
 * ?}, ignoring case) or by regular expression (RE2 syntax, found anywhere, case as written). A
 * header that appears more than once matches if any of its values does.
 *
 * <p>Matching is bounded whatever the message says: patterns run on RE2/J, whose time is linear in
 * the text (no backreferences or lookaround, so no catastrophic backtracking), and a rule sees at
 * most {@link #MAX_VALUES} values of a header, each cut to {@link #MAX_VALUE} characters.
 */
public final class FieldMatch {
  /** What is compared. */
  public enum Source {
    HEADER,
    RECIPIENT,
    SENDER
  }

  /** How it is compared. */
  public enum Kind {
    IS,
    GLOB,
    REGEX
  }

  /**
   * Characters of a header value a rule sees: more than any real Subject, List-Id or address line
   * needs, and small enough that a 256 KiB header cannot make one comparison costly.
   */
  public static final int MAX_VALUE = 8 * 1024;

  /** Values of one header a rule looks at; later repeats of the field are not compared. */
  public static final int MAX_VALUES = 100;

  private final Source source;
  private final String header;
  private final Pattern pattern;
  private final boolean anchored;

  /**
   * @param header the field name, for {@link Source#HEADER}
   * @throws com.google.re2j.PatternSyntaxException if a regular expression does not compile (RE2
   *     refuses backreferences and lookaround)
   */
  public FieldMatch(Source source, String header, Kind kind, String text) {
    this.source = source;
    this.header = header;
    this.pattern =
        switch (kind) {
          case IS -> Pattern.compile(Pattern.quote(text), Pattern.CASE_INSENSITIVE);
          case GLOB ->
              Pattern.compile(globToRegex(text), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
          case REGEX -> Pattern.compile(text);
        };
    this.anchored = kind != Kind.REGEX;
  }

  static String globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append(".*");
        case '?' -> sb.append('.');
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return sb.toString();
  }

  /** The match, with its groups for folder names, if the message meets this condition. */
  public Optional<Matcher> match(Incoming message) {
    List<String> values =
        switch (source) {
          case HEADER -> message.header().all(header);
          case RECIPIENT -> List.of(message.envelope().recipient());
          case SENDER -> List.of(message.envelope().sender());
        };
    for (String v : values.subList(0, Math.min(values.size(), MAX_VALUES))) {
      Matcher m = pattern.matcher(v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) : v);
      if (anchored ? m.matches() : m.find()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return (source == Source.HEADER ? header : source.name().toLowerCase(Locale.ROOT))
        + " ~ "
        + pattern;
  }
}
