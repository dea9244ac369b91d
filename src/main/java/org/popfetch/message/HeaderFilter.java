package org.popfetch.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Removes whole header fields by name from a message's header block, octet for octet: a removed
 * field goes with its folded continuation lines, everything else (other fields, their order and
 * line ends, the empty line, the body) stays as it came.
 *
 * <p>A field starts on a line that does not begin with a space or a tab; its name is what comes
 * before the first colon, when that is a valid field name (printable US-ASCII without spaces, RFC
 * 5322 section 2.2; white space before the colon is allowed, as the obsolete syntax of section 4.5
 * does). A line beginning with white space is always part of the field above it, so a folded
 * "{@code Status: RO}" is not a field of its own, and "X-Delivered-To" is not "Delivered-To".
 * Nothing after the header's empty line is looked at.
 */
public final class HeaderFilter {
  private HeaderFilter() {}

  /**
   * The header block without the fields named.
   *
   * @param head the header block as read: from the first octet of the message up to and including
   *     its empty line, or cut short
   * @param complete whether {@code head} holds the whole header: it ends with the empty line, or
   *     the message ended within it. When it was cut, the last field may go on past the cut, so it
   *     is kept whatever its name: removing its first lines would leave its continuation lines
   *     behind, glued to the field before.
   * @param names field names to remove, lower case
   * @return {@code head} itself when nothing is removed, otherwise a shorter copy
   */
  public static byte[] without(byte[] head, boolean complete, Set<String> names) {
    if (names.isEmpty()) {
      return head;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length);
    int fieldStart = 0; // the start of the field being looked at
    boolean dropField = false;
    int pos = 0;
    boolean removed = false;
    while (pos < head.length) {
      int end = lineEnd(head, pos);
      boolean emptyLine = isEmptyLine(head, pos, end);
      boolean continuation = !emptyLine && (head[pos] == ' ' || head[pos] == '\t');
      if (!continuation) {
        // The field above ends here: write it unless it is dropped.
        if (dropField) {
          removed = true;
        } else {
          out.write(head, fieldStart, pos - fieldStart);
        }
        fieldStart = pos;
        if (emptyLine) {
          out.write(head, pos, head.length - pos); // the empty line and whatever follows
          return removed ? out.toByteArray() : head;
        }
        dropField = names.contains(fieldName(head, pos, end));
      }
      pos = end;
    }
    // The header ran to the end of what was read without its empty line.
    if (dropField && complete) {
      removed = true;
    } else {
      out.write(head, fieldStart, head.length - fieldStart);
    }
    return removed ? out.toByteArray() : head;
  }

  /** The index after the line that starts at {@code pos}: after its LF, or the end. */
  private static int lineEnd(byte[] b, int pos) {
    int i = pos;
    while (i < b.length && b[i] != '\n') {
      i++;
    }
    return i < b.length ? i + 1 : i;
  }

  private static boolean isEmptyLine(byte[] b, int start, int end) {
    int len = end - start;
    return (len == 1 && b[start] == '\n') || (len == 2 && b[start] == '\r' && b[start + 1] == '\n');
  }

  /** The line's field name in lower case, or "" if it does not start with one. */
  private static String fieldName(byte[] b, int start, int end) {
    int i = start;
    while (i < end && b[i] > 0x20 && b[i] < 0x7f && b[i] != ':') {
      i++;
    }
    int nameEnd = i;
    while (i < end && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
    if (nameEnd == start || i >= end || b[i] != ':') {
      return "";
    }
    return new String(b, start, nameEnd - start, StandardCharsets.US_ASCII)
        .toLowerCase(Locale.ROOT);
  }
}
