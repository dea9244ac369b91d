package org.popfetch.pop3;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * Whether the octets a message came as fit the size the server gave for it (in LIST, or in "+OK n
 * octets"), loosely enough for honest servers and tightly enough to catch a session out of step.
 *
 * <p>Honest servers are off in known ways. Some count a message as stored, with LF line ends
 * (Dovecot with {@code pop3_fast_size_lookups}, Courier, mailutils for some mailbox formats), while
 * the wire carries CRLF: the body is then up to twice the size, never more (a message of empty
 * lines is the worst case). An LF-only server counted in CRLF gives the converse, half. Servers on
 * mbox hide or add a few headers (Status, X-UIDL, Content-Length) at RETR, and Exchange reports an
 * estimate: a constant on top of the factor covers those. A body cut short by an unstuffed "."
 * line, or two bodies run together, usually falls far outside; a small one may not, which the other
 * signs of a desync (a status line that is not one, bytes nobody asked for) catch instead.
 */
final class SizeCheck {
  /** Below half the size, less this many octets, a body is too short to be the message. */
  static final long SHORT_SLACK = 2048;

  /** Above twice the size, plus this many octets, a body is too long to be the message. */
  static final long LONG_SLACK = 64 * 1024;

  private SizeCheck() {}

  /** True when {@code received} octets can be a message the server sized as {@code announced}. */
  static boolean fits(long received, long announced) {
    if (announced < 0) {
      return true; // not known: nothing to hold it to
    }
    long low = announced / 2 - SHORT_SLACK;
    long high =
        announced > (Long.MAX_VALUE - LONG_SLACK) / 2 ? Long.MAX_VALUE : 2 * announced + LONG_SLACK;
    return received >= low && received <= high;
  }

  /** The size in "+OK 1234 octets" (RFC 1939's own example), if the reply carries one. */
  static OptionalLong octetsIn(Pop3Reply reply) {
    String[] words = reply.text().strip().split("\\s+", 3);
    if (words.length < 2
        || words[0].isEmpty()
        || words[0].length() > 18
        || !words[0].chars().allMatch(c -> c >= '0' && c <= '9')
        || !words[1].toLowerCase(Locale.ROOT).startsWith("octet")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(words[0]));
  }
}
