package org.popfetch.message;

/**
 * Folding and unfolding a header field's body (RFC 5322 section 2.2.3), as Mime4j's {@code
 * MimeUtil} does it: kept here because the first use of that class sets up a date formatter in the
 * default time zone, reading the JDK's zone rules (about 10 ms of every poll's first message).
 */
final class Folding {
  /** The line length folding keeps to where it can (RFC 5322 section 2.1.1 recommends 78). */
  private static final int MAX_LINE = 76;

  private Folding() {}

  /**
   * The body folded before whitespace so that no line is longer than 76 characters where a space or
   * tab allows it; a line with none is left long.
   *
   * @param used the characters before the body on its first line (the name, the colon, a space)
   */
  static String fold(String body, int used) {
    int length = body.length();
    if (used + length <= MAX_LINE) {
      return body;
    }
    StringBuilder out = new StringBuilder(length + 16);
    int lineStart = -used;
    int space = whitespaceFrom(body, 0);
    while (space != length) {
      int next = whitespaceFrom(body, space + 1);
      if (next - lineStart > MAX_LINE) {
        out.append(body, Math.max(0, lineStart), space).append("\r\n");
        lineStart = space;
      }
      space = next;
    }
    return out.append(body, Math.max(0, lineStart), length).toString();
  }

  private static int whitespaceFrom(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t') {
        return i;
      }
    }
    return s.length();
  }

  /** The body with every CR and LF taken out, the whitespace after them kept. */
  static String unfold(String body) {
    int first = lineBreakFrom(body, 0);
    if (first == body.length()) {
      return body;
    }
    StringBuilder out = new StringBuilder(body.length());
    int from = 0;
    for (int at = first; at < body.length(); at = lineBreakFrom(body, from)) {
      out.append(body, from, at);
      from = at + 1;
    }
    return out.append(body, from, body.length()).toString();
  }

  private static int lineBreakFrom(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n') {
        return i;
      }
    }
    return s.length();
  }
}
