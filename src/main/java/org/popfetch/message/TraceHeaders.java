package org.popfetch.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Header fields popfetch puts on top of a message it delivers: a {@code Received:} field that
 * records the fetch (RFC 5321 section 4.4 trace information) and a {@code Delivered-To:} naming the
 * mailbox it came from. Values that came from a config or a server are stripped of line breaks and
 * control characters, so no header can be injected through them.
 *
 * @param fields complete header fields, folded, without their final line end
 */
public record TraceHeaders(List<String> fields) {
  public static final TraceHeaders NONE = new TraceHeaders(List.of());

  public TraceHeaders {
    fields = List.copyOf(fields);
  }

  /**
   * The fields for one fetched message.
   *
   * @param server the POP3 server's name
   * @param secure whether the session used TLS ("POP3S" rather than "POP3", as RFC 3848 names the
   *     protocols)
   * @param localHost this machine's name
   * @param account the account's name in the config
   * @param mailbox the mailbox the message was fetched from, as an address
   */
  public static TraceHeaders forFetch(
      String server,
      boolean secure,
      String localHost,
      String account,
      String mailbox,
      Instant when) {
    String date = MailDate.format(when);
    String received =
        "from "
            + token(server)
            + " by "
            + token(localHost)
            + " with "
            + (secure ? "POP3S" : "POP3")
            + " (popfetch) for <"
            + token(mailbox)
            + "> (account "
            + token(account)
            + "); "
            + date;
    return new TraceHeaders(
        List.of(field("Received", received), field("Delivered-To", token(mailbox))));
  }

  private static String field(String name, String body) {
    return name + ": " + Folding.fold(body, name.length() + 2);
  }

  /** Keeps printable ASCII without spaces, so a value is one header token. */
  static String token(String value) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length() && sb.length() < 200; i++) {
      char c = value.charAt(i);
      sb.append(
          c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != '(' && c != ')' && c != ';'
              ? c
              : '_');
    }
    return sb.length() == 0 ? "unknown" : sb.toString();
  }

  /** The fields as bytes, each line ended with {@code lineEnd} ("\n" or "\r\n"). */
  public byte[] toBytes(String lineEnd) {
    StringBuilder sb = new StringBuilder();
    for (String f : fields) {
      sb.append(f.replace("\r\n", lineEnd)).append(lineEnd);
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
