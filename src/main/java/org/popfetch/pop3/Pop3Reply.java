package org.popfetch.pop3;

import java.util.Optional;

/**
 * One status line: "+OK text" or "-ERR [CODE] text".
 *
 * @param ok true for +OK
 * @param text what follows the status indicator, without the response code
 * @param code the extended response code (RFC 2449 section 8) without brackets, if any
 */
public record Pop3Reply(boolean ok, String text, Optional<String> code) {
  /** RFC 2449 section 8: a response code is at most 64 printable characters, no "]". */
  private static final int MAX_CODE = 64;

  /**
   * Parses a status line.
   *
   * @return empty if the line starts with neither "+OK" nor "-ERR": the caller is out of step
   */
  public static Optional<Pop3Reply> parse(String line) {
    String rest;
    boolean ok;
    if (hasIndicator(line, "+OK")) {
      ok = true;
      rest = line.substring(3);
    } else if (hasIndicator(line, "-ERR")) {
      ok = false;
      rest = line.substring(4);
    } else {
      return Optional.empty();
    }
    rest = rest.stripLeading();
    Optional<String> code = Optional.empty();
    int close = codeEnd(rest);
    if (close > 0) {
      code = Optional.of(rest.substring(1, close));
      rest = rest.substring(Words.nextWord(rest, close + 1, rest.length()));
    }
    return Optional.of(new Pop3Reply(ok, rest, code));
  }

  /** Where the "]" of a response code at the start of {@code text} is, or -1 if none is there. */
  private static int codeEnd(String text) {
    if (text.isEmpty() || text.charAt(0) != '[') {
      return -1;
    }
    int i = 1;
    while (i < text.length() && i <= MAX_CODE + 1) {
      char c = text.charAt(i);
      if (c == ']') {
        return i > 1 ? i : -1;
      }
      if (c < 0x21 || c > 0x7e) {
        return -1;
      }
      i++;
    }
    return -1;
  }

  private static boolean hasIndicator(String line, String indicator) {
    return line.startsWith(indicator)
        && (line.length() == indicator.length() || line.charAt(indicator.length()) == ' ');
  }

  public ResponseCondition condition() {
    return ok ? ResponseCondition.UNSPECIFIED : ResponseCondition.of(code);
  }

  /** The line as the server sent it (modulo spacing), for messages. */
  public String line() {
    return (ok ? "+OK" : "-ERR")
        + code.map(c -> " [" + c + "]").orElse("")
        + (text.isEmpty() ? "" : " " + text);
  }
}
