package org.popfetch.pop3;

/**
 * The words of a reply or listing line, found in place: no regular expression and no String per
 * word, since every status line and every line of a LIST listing is split this way. Word breaks are
 * what a regular expression's {@code \s} matches (space, tab, LF, VT, FF, CR); a line's two ends
 * are trimmed as {@link String#strip()} trims them.
 */
final class Words {
  /** Longest number taken: 18 digits always fit a long. */
  static final int MAX_DIGITS = 18;

  private Words() {}

  /** True for what {@code \s} matches. */
  static boolean isBreak(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  /** Where {@code s} starts once stripped ({@link String#strip()}). */
  static int start(CharSequence s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** Where {@code s} ends once stripped, given where it starts. */
  static int end(CharSequence s, int start) {
    int e = s.length();
    while (e > start && Character.isWhitespace(s.charAt(e - 1))) {
      e--;
    }
    return e;
  }

  /** The end of the word that starts at {@code from}: the first break, or {@code to}. */
  static int wordEnd(CharSequence s, int from, int to) {
    int i = from;
    while (i < to && !isBreak(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The start of the next word after the breaks at {@code from}, or {@code to}. */
  static int nextWord(CharSequence s, int from, int to) {
    int i = from;
    while (i < to && isBreak(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * The number written in {@code s[from, to)}: ASCII digits only, at most {@link #MAX_DIGITS} of
   * them; -1 if it is anything else (empty, a sign, a letter, too long).
   */
  static long number(CharSequence s, int from, int to) {
    if (from >= to || to - from > MAX_DIGITS) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
