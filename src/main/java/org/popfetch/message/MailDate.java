package org.popfetch.message;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Dates as mail header fields write them (RFC 5322 section 3.3), so every package that writes a
 * header gets them from the same place: "Mon, 30 Nov 2026 18:53:48 +0000", as Mime4j's {@code
 * MimeUtil.formatDate} writes them for the years 0 to 9999. Worked out from the offset rather than
 * with a {@code DateTimeFormatter}: in UTC, the JDK's zone rules are not read at all.
 */
public final class MailDate {
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private MailDate() {}

  /**
   * The instant as a date-time field value in UTC, for example "Mon, 30 Nov 2026 18:53:48 +0000".
   */
  public static String format(Instant when) {
    return format(when, ZoneOffset.UTC);
  }

  /** The instant as a date-time field value in {@code zone}, with its offset there and then. */
  public static String format(Instant when, ZoneId zone) {
    ZoneOffset offset = zone.getRules().getOffset(when);
    LocalDateTime t = LocalDateTime.ofEpochSecond(when.getEpochSecond(), 0, offset);
    StringBuilder out = new StringBuilder(31);
    out.append(DAYS[t.getDayOfWeek().ordinal()])
        .append(", ")
        .append(t.getDayOfMonth())
        .append(' ')
        .append(MONTHS[t.getMonthValue() - 1])
        .append(' ');
    // Four digits (RFC 5322 section 3.3), as MimeUtil pads a year before 1000.
    String year = Integer.toString(t.getYear());
    out.append("0000", 0, Math.max(0, 4 - year.length())).append(year).append(' ');
    twoDigits(out, t.getHour()).append(':');
    twoDigits(out, t.getMinute()).append(':');
    twoDigits(out, t.getSecond()).append(' ');
    int minutes = offset.getTotalSeconds() / 60;
    out.append(minutes < 0 ? '-' : '+');
    twoDigits(out, Math.abs(minutes) / 60);
    return twoDigits(out, Math.abs(minutes) % 60).toString();
  }

  private static StringBuilder twoDigits(StringBuilder out, int n) {
    return out.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }
}
