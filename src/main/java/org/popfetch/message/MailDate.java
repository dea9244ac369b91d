package org.popfetch.message;

import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * Dates as mail header fields write them (RFC 5322 section 3.3), in UTC, so every package that
 * writes a header gets them from the same place and only this package knows Mime4j.
 */
public final class MailDate {
  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private MailDate() {}

  /** The instant as a date-time field value, for example "Mon, 30 Nov 2026 18:53:48 +0000". */
  public static String format(Instant when) {
    return MimeUtil.formatDate(Date.from(when), UTC);
  }
}
