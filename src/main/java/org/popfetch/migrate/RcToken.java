package org.popfetch.migrate;

import java.util.Locale;

/**
 * One word of a {@code .fetchmailrc}: a bare word, a number or a quoted string (its escapes
 * resolved).
 *
 * @param text the word, or the string's content
 * @param quoted whether it was a quoted string, which is never a keyword
 * @param line where it starts, counting from 1
 */
record RcToken(String text, boolean quoted, int line) {
  /** Whether this is the bare keyword {@code keyword} (fetchmail's keywords ignore case). */
  boolean is(String keyword) {
    return !quoted && text.toLowerCase(Locale.ROOT).equals(keyword);
  }

  /** The bare word lower-cased, or "" for a quoted string. */
  String keyword() {
    return quoted ? "" : text.toLowerCase(Locale.ROOT);
  }

  boolean isNumber() {
    return !quoted
        && !text.isEmpty()
        && text.length() <= 9
        && text.chars().allMatch(Character::isDigit);
  }
}
