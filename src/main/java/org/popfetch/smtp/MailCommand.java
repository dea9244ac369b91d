package org.popfetch.smtp;

import java.util.List;
import java.util.Map;

/** The MAIL command for one message, with the parameters the server's extensions allow. */
final class MailCommand {
  private MailCommand() {}

  /**
   * The MAIL command line with the parameters the server takes (SIZE, BODY, SMTPUTF8).
   *
   * @throws SmtpReplyException (a 5yz made here, nothing sent) if the message exceeds the server's
   *     SIZE limit or needs SMTPUTF8 that the server does not offer
   */
  static String line(
      String sender,
      List<String> recipients,
      long size,
      Map<String, String> extensions,
      String peer)
      throws SmtpReplyException {
    String mail = "MAIL FROM:<" + sender + ">";
    if (size >= 0 && extensions.containsKey("SIZE")) {
      long limit = sizeLimit(extensions);
      if (limit > 0 && size > limit) {
        // RFC 1870: no point sending what the server said it will not take.
        throw new SmtpReplyException(
            peer,
            mail,
            new SmtpReply(
                552,
                List.of(
                    "5.3.4 message of "
                        + size
                        + " octets is larger than the server's limit of "
                        + limit)));
      }
      mail += " SIZE=" + size;
    }
    if (extensions.containsKey("8BITMIME")) {
      mail += " BODY=8BITMIME";
    }
    if (!isAscii(sender) || recipients.stream().anyMatch(r -> !isAscii(r))) {
      // RFC 6531: UTF-8 addresses need SMTPUTF8; without it the server cannot take them at all.
      if (!extensions.containsKey("SMTPUTF8")) {
        throw new SmtpReplyException(
            peer,
            "MAIL FROM:<" + sender + ">",
            new SmtpReply(
                553, List.of("5.6.7 non-ASCII address and the server offers no SMTPUTF8")));
      }
      mail += " SMTPUTF8";
    }
    return mail;
  }

  /** The SIZE limit the server announced, 0 if none. */
  private static long sizeLimit(Map<String, String> extensions) {
    try {
      String v = extensions.getOrDefault("SIZE", "").strip();
      return v.isEmpty() ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 0x80);
  }
}
