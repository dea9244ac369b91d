package org.popfetch.message;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The envelope of a fetched message, which POP3 does not carry and popfetch reconstructs: the
 * sender from Return-Path (or From), the recipient from a configured header (multidrop) or the
 * account's own mailbox.
 *
 * @param sender an address, or "" for the null sender ("&lt;&gt;", a bounce)
 * @param recipient an address
 */
public record Envelope(String sender, String recipient) {
  private static final Pattern ANGLE = Pattern.compile("<([^<>]*)>");
  private static final Pattern BARE = Pattern.compile("([^\\s<>(),;:\"]+@[^\\s<>(),;:\"]+)");

  /**
   * Reconstructs the envelope.
   *
   * @param mailbox the account's mailbox, the recipient unless {@code recipientHeader} names one
   * @param recipientHeader the header that carries the recipient in a multidrop mailbox
   */
  public static Envelope of(HeaderFields header, String mailbox, Optional<String> recipientHeader) {
    String sender =
        header.first("Return-Path").map(Envelope::address)
            .or(() -> header.first("From").map(Envelope::address))
            .orElse("");
    String recipient =
        recipientHeader.flatMap(header::first).map(Envelope::address).filter(a -> !a.isEmpty()).orElse(mailbox);
    return new Envelope(sender, recipient);
  }

  /** The address in "Name &lt;a@b&gt;", "&lt;a@b&gt;" or "a@b (Name)"; "" for "&lt;&gt;". */
  static String address(String value) {
    Matcher angle = ANGLE.matcher(value);
    if (angle.find()) {
      return angle.group(1).strip();
    }
    Matcher bare = BARE.matcher(value);
    return bare.find() ? bare.group(1) : value.strip();
  }
}
