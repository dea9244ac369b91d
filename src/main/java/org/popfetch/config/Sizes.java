package org.popfetch.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the sizes written in configs: a whole number of bytes, optionally followed by a unit.
 *
 * <p>Every unit counts in powers of 1024, as mail tools (fetchmail, getmail) and {@code ls -h} do:
 * {@code K}, {@code KB} and {@code KiB} all mean 1024 bytes, {@code M}, {@code MB} and {@code MiB}
 * mean 1024², {@code G}, {@code GB} and {@code GiB} mean 1024³. A decimal reading of "MB" would
 * make {@code max-size: 20MB} let through a message that a 20 MiB limit elsewhere refuses, and no
 * admin writing a mail size limit means 10⁶. Units are case-insensitive; {@code B} or no unit means
 * bytes; a space between number and unit is allowed.
 */
public final class Sizes {
  private static final Pattern FORM =
      Pattern.compile("([0-9]{1,19})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /**
   * The number of bytes {@code text} stands for.
   *
   * @throws IllegalArgumentException with a message fit to follow "KEY: " in an error, if the text
   *     is not a number with an optional unit or is larger than {@link Long#MAX_VALUE}
   */
  public static long parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a size such as 1048576, 512KB, 20MB or 1GB, got " + YamlReader.quote(text));
    }
    int shift =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "", "b" -> 0;
          case "k", "kb", "kib" -> 10;
          case "m", "mb", "mib" -> 20;
          case "g", "gb", "gib" -> 30;
          default -> throw new AssertionError(m.group(2));
        };
    try {
      long amount = Long.parseLong(m.group(1));
      return Math.multiplyExact(amount, 1L << shift);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("size too large: " + YamlReader.quote(text));
    }
  }
}
