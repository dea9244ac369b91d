package org.popfetch.queue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.popfetch.message.MailDate;

/**
 * A bounce as RFC 3464 has it: multipart/report with a human-readable part, a
 * message/delivery-status part with one block per failed recipient, and the original message's
 * header (text/rfc822-headers), from MAILER-DAEMON.
 */
final class DeliveryStatusNotification {
  /** The header of the original is attached up to this size (Postfix's bounce_size_limit). */
  static final int HEADER_LIMIT = 50_000;

  /** One failed recipient: the address, the RFC 3463 status, what the server said. */
  record Failure(String recipient, String status, String diagnostic) {}

  private DeliveryStatusNotification() {}

  static byte[] build(
      String reportingMta,
      QueueEntry original,
      List<Failure> failures,
      String to,
      InputStream originalMessage,
      Instant now)
      throws IOException {
    return build(reportingMta, original, failures, to, originalMessage, now, null);
  }

  /**
   * @param retryUntil for a delay warning (Action: delayed): when popfetch gives up; null for a
   *     bounce (Action: failed)
   */
  static byte[] build(
      String reportingMta,
      QueueEntry original,
      List<Failure> failures,
      String to,
      InputStream originalMessage,
      Instant now,
      Instant retryUntil)
      throws IOException {
    boolean delayed = retryUntil != null;
    String boundary = "popfetch-" + UUID.randomUUID();
    String date = MailDate.format(now);
    StringBuilder sb = new StringBuilder();
    sb.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n");
    sb.append("To: <").append(to).append(">\r\n");
    sb.append(
        delayed
            ? "Subject: Delayed Mail (still being retried)\r\n"
            : "Subject: Undelivered Mail Returned to Sender\r\n");
    sb.append("Date: ").append(date).append("\r\n");
    sb.append("Message-ID: <")
        .append(UUID.randomUUID())
        .append("@")
        .append(reportingMta)
        .append(">\r\n");
    sb.append("Auto-Submitted: auto-replied\r\n");
    sb.append("MIME-Version: 1.0\r\n");
    sb.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
        .append(boundary)
        .append("\"\r\n\r\n");
    sb.append("--").append(boundary).append("\r\n");
    sb.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
    sb.append("This is popfetch at ").append(reportingMta).append(".\r\n\r\n");
    sb.append("The message it fetched for you (queued ")
        .append(original.arrival())
        .append(
            delayed
                ? ") has not been delivered yet to the recipients below. It will be tried again"
                    + " until "
                    + retryUntil
                    + "; you need not send it again.\r\n\r\n"
                : ") could not be delivered to the recipients below.\r\n\r\n");
    for (Failure f : failures) {
      sb.append("<").append(f.recipient()).append(">: ").append(f.diagnostic()).append("\r\n");
    }
    sb.append("\r\n--").append(boundary).append("\r\n");
    sb.append("Content-Type: message/delivery-status\r\n\r\n");
    sb.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
    sb.append("X-Popfetch-Queue-ID: ").append(original.id()).append("\r\n");
    sb.append("Arrival-Date: ").append(MailDate.format(original.arrival())).append("\r\n");
    appendRecipientFields(sb, failures, date, retryUntil);
    sb.append("\r\n--").append(boundary).append("\r\n");
    sb.append("Content-Type: text/rfc822-headers\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(header(originalMessage));
    out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** The per-recipient fields of the delivery-status part; retryUntil null for a bounce. */
  private static void appendRecipientFields(
      StringBuilder sb, List<Failure> failures, String date, Instant retryUntil) {
    boolean delayed = retryUntil != null;
    for (Failure f : failures) {
      sb.append("\r\n");
      sb.append("Final-Recipient: rfc822; ").append(f.recipient()).append("\r\n");
      sb.append(delayed ? "Action: delayed\r\n" : "Action: failed\r\n");
      sb.append("Status: ").append(f.status()).append("\r\n");
      sb.append("Diagnostic-Code: smtp; ")
          .append(f.diagnostic().replace("\r", " ").replace("\n", " "))
          .append("\r\n");
      sb.append("Last-Attempt-Date: ").append(date).append("\r\n");
      if (delayed) {
        sb.append("Will-Retry-Until: ").append(MailDate.format(retryUntil)).append("\r\n");
      }
    }
  }

  /** The original's header block, CRLF, cut at {@link #HEADER_LIMIT}. */
  private static byte[] header(InputStream message) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    int p1 = -1;
    int p2 = -1;
    int p3 = -1;
    while (head.size() < HEADER_LIMIT && (b = message.read()) >= 0) {
      head.write(b);
      if (b == '\n' && p1 == '\r' && p2 == '\n' && p3 == '\r') {
        break;
      }
      p3 = p2;
      p2 = p1;
      p1 = b;
    }
    return head.toByteArray();
  }
}
