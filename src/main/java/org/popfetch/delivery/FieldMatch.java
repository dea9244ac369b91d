package org.popfetch.delivery;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.popfetch.fetch.Incoming;

/**
 * One routing condition: a header field (by name, case-insensitive as RFC 5322 has it) or the
 * envelope's recipient or sender, compared exactly (ignoring case), by glob ({@code *} and
 * {@code ?}, ignoring case) or by regular expression (Java syntax, found anywhere, case as
 * written). A header that appears more than once matches if any of its values does.
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

  private final Source source;
  private final String header;
  private final Pattern pattern;
  private final boolean anchored;

  /**
   * @param header the field name, for {@link Source#HEADER}
   * @throws java.util.regex.PatternSyntaxException if a regular expression does not compile
   */
  public FieldMatch(Source source, String header, Kind kind, String text) {
    this.source = source;
    this.header = header;
    this.pattern =
        switch (kind) {
          case IS -> Pattern.compile(Pattern.quote(text), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
          case GLOB -> Pattern.compile(globToRegex(text), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
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
    for (String v : values) {
      Matcher m = pattern.matcher(v);
      if (anchored ? m.matches() : m.find()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return (source == Source.HEADER ? header : source.name().toLowerCase(Locale.ROOT)) + " ~ " + pattern;
  }
}
