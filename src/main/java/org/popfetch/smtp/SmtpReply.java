package org.popfetch.smtp;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reply, possibly multi-line: "250-first" ... "250 last".
 *
 * @param code the three-digit code
 * @param lines the text of each line, without the code
 */
public record SmtpReply(int code, List<String> lines) {
  private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

  public SmtpReply {
    lines = List.copyOf(lines);
  }

  public boolean isPositive() {
    return code >= 200 && code < 400;
  }

  /** 4yz: try again later. */
  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  /** 5yz: will not work as it is. */
  public boolean isPermanent() {
    return code >= 500;
  }

  /** The RFC 3463 enhanced status code ("5.1.1") at the start of the first line, if any. */
  public Optional<String> enhancedCode() {
    Matcher m = ENHANCED.matcher(lines.isEmpty() ? "" : lines.get(0));
    return m.find()
        ? Optional.of(m.group(1) + "." + m.group(2) + "." + m.group(3))
        : Optional.empty();
  }

  /** As the server sent it, lines joined: "550 5.1.1 no such user". */
  @Override
  public String toString() {
    return code + " " + String.join(" / ", lines);
  }
}
