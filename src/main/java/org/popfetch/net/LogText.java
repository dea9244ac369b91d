package org.popfetch.net;

/**
 * Makes peer-supplied text safe for one log line: control characters are escaped, so a server
 * cannot forge log lines or send terminal escapes, and the length is capped.
 */
public final class LogText {
  public static final int MAX_LENGTH = 500;

  private LogText() {}

  public static String sanitize(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 16);
    for (int i = 0; i < text.length(); i++) {
      if (out.length() >= MAX_LENGTH) {
        out.append("...[").append(text.length() - i).append(" more chars]");
        break;
      }
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
