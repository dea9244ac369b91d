package org.popfetch.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations written in configs: a whole number and one unit, {@code 500ms}, {@code 90s},
 * {@code 5m}, {@code 2h} or {@code 7d}.
 *
 * <p>A unit is always required: a bare {@code 300} could mean seconds to one reader and minutes to
 * the next. Units are lower case only, so {@code 5M} is refused rather than guessed to mean minutes
 * or months. Compound forms ({@code 1h30m}) and ISO-8601 are not accepted; write {@code 90m}.
 *
 * <p>At most {@value #MAX_DAYS}d (about a century): a longer duration cannot be added to a date or
 * counted in milliseconds without overflowing, and would crash the scheduler or the queue long
 * after the configuration was accepted.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("([0-9]{1,18})\\s*(ms|s|m|h|d)");

  /** The longest duration accepted, in days. */
  public static final long MAX_DAYS = 36500;

  private static final Duration MAX = Duration.ofDays(MAX_DAYS);

  private Durations() {}

  /**
   * The duration {@code text} stands for.
   *
   * @throws IllegalArgumentException with a message fit to follow "KEY: " in an error, if the text
   *     is not a number and a unit or is too large
   */
  public static Duration parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a duration such as 500ms, 90s, 5m, 2h or 7d, got " + YamlReader.quote(text));
    }
    long amount = Long.parseLong(m.group(1));
    Duration d;
    try {
      d =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new AssertionError(m.group(2));
          };
    } catch (ArithmeticException e) {
      d = null;
    }
    if (d == null || d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(
          "duration too large: " + YamlReader.quote(text) + " (at most " + MAX_DAYS + "d)");
    }
    return d;
  }
}
