package org.popfetch.pop3;

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
    String text = reply.text();
    int start = Words.start(text);
    int end = Words.end(text, start);
    int firstEnd = Words.wordEnd(text, start, end);
    int second = Words.nextWord(text, firstEnd, end);
    long octets = Words.number(text, start, firstEnd);
    if (octets < 0 || second == end || !startsWithOctet(text, second, end)) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(octets);
  }

  /** Whether the word at {@code from} starts with "octet", in any case. */
  private static boolean startsWithOctet(String text, int from, int to) {
    return to - from >= 5 && text.regionMatches(true, from, "octet", 0, 5);
  }
}
