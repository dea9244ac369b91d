package org.popfetch.pop3;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's greeting and, if it offers APOP, its timestamp.
 *
 * @param text the greeting after "+OK"
 * @param apopTimestamp the "&lt;...@...&gt;" challenge, only if it has strict msg-id syntax
 */
public record Greeting(String text, Optional<String> apopTimestamp) {
  // RFC 1939 section 7: the timestamp has msg-id syntax. Anything looser is refused, as
  // fetchmail and mpop do, because a crafted challenge is how APOP is attacked (CVE-2007-1558).
  private static final Pattern TIMESTAMP =
      Pattern.compile("<[\\x21-\\x3b\\x3d\\x3f-\\x7e]+@[\\x21-\\x3b\\x3d\\x3f-\\x7e]+>");

  static Greeting of(Pop3Reply reply) {
    Matcher m = TIMESTAMP.matcher(reply.text());
    Optional<String> ts = Optional.empty();
    if (m.find()) {
      String candidate = m.group();
      if (candidate.indexOf('@') == candidate.lastIndexOf('@')) {
        ts = Optional.of(candidate);
      }
    }
    return new Greeting(reply.text(), ts);
  }
}
