package org.popfetch.pop3;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One status line: "+OK text" or "-ERR [CODE] text".
 *
 * @param ok true for +OK
 * @param text what follows the status indicator, without the response code
 * @param code the extended response code (RFC 2449 section 8) without brackets, if any
 */
public record Pop3Reply(boolean ok, String text, Optional<String> code) {
  private static final Pattern CODE =
      Pattern.compile("^\\[([\\x21-\\x5c\\x5e-\\x7e]{1,64})\\]\\s*");

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
    Matcher m = CODE.matcher(rest);
    if (m.find()) {
      code = Optional.of(m.group(1));
      rest = rest.substring(m.end());
    }
    return Optional.of(new Pop3Reply(ok, rest, code));
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
