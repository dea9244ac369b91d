package org.popfetch.net;

/**
 * Makes peer-supplied text safe for one log line or a terminal: control characters are escaped, so
 * a server or a message cannot forge log lines, send terminal escapes (set the window title, clear
 * the screen) or reorder what is shown, and the length is capped.
 *
 * <p>Escaped as {@code \xNN}: C0 controls (CR, LF, ESC, BEL, NUL...), DEL and C1 controls
 * (including the one-character CSI, U+009B). Escaped as {@code \\uNNNN}: the Unicode bidi controls
 * (U+061C, U+200E/F, U+202A-E, U+2066-9), which make a terminal show text in another order than it
 * is, and the line and paragraph separators U+2028/9. Everything else passes, so non-ASCII names
 * stay readable.
 */
public final class LogText {
  public static final int MAX_LENGTH = 500;

  private LogText() {}

  /** The text escaped and cut to {@link #MAX_LENGTH} characters plus a marker; "" for null. */
  public static String sanitize(String text) {
    return sanitize(text, MAX_LENGTH);
  }

  /** The text escaped and cut to about {@code max} characters plus a marker; "" for null. */
  public static String sanitize(String text, int max) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
    for (int i = 0; i < text.length(); i++) {
      if (out.length() >= max) {
        out.append("...[").append(text.length() - i).append(" more chars]");
        break;
      }
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        out.append(String.format("\\x%02x", (int) c));
      } else if (isFormatting(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Bidi overrides, embeddings, isolates and marks; line and paragraph separators. */
  private static boolean isFormatting(char c) {
    return c == 0x061c
        || c == 0x200e
        || c == 0x200f
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x2028
        || c == 0x2029;
  }
}
