package org.popfetch.message;

import java.util.List;
import java.util.Optional;

/**
 * The envelope of a fetched message, which POP3 does not carry and popfetch reconstructs: the
 * sender from Return-Path (or From), the recipient from a configured header (multidrop) or the
 * account's own mailbox.
 *
 * <p>Addresses are read as RFC 5322 has them, literally: an encoded-word is never decoded in an
 * address (see {@link Addresses}), so a sender cannot hide a line break, a second address or a
 * queue record in one. A field that is there but holds no usable address is not cut down to
 * something that looks like one.
 *
 * @param sender an address, or "" for the null sender ("&lt;&gt;", a bounce)
 * @param recipient an address
 */
public record Envelope(String sender, String recipient) {
  /**
   * @throws IllegalArgumentException if either has a control character or a line break
   */
  public Envelope {
    if (Addresses.hasControl(sender) || Addresses.hasControl(recipient)) {
      throw new IllegalArgumentException("control character in an envelope address");
    }
  }

  /**
   * Reconstructs the envelope.
   *
   * <p>The sender is the first address of the first Return-Path field, "" if that field is the null
   * path "&lt;&gt;"; without Return-Path, the first address of From. A sender field that is there
   * but holds no usable address (a line break, a control character, an encoded-word around the "@",
   * too long) makes the sender the account's mailbox, so a failure notice still reaches the user;
   * with neither field the sender is the null sender.
   *
   * <p>The recipient is the first usable address of the first {@code recipientHeader} field; the
   * account's mailbox if there is none (or no such field, or no header is configured).
   *
   * @param mailbox the account's mailbox, the recipient unless {@code recipientHeader} names one
   * @param recipientHeader the header that carries the recipient in a multidrop mailbox
   */
  public static Envelope of(HeaderFields header, String mailbox, Optional<String> recipientHeader) {
    return new Envelope(
        sender(header, mailbox),
        recipientHeader.flatMap(h -> firstAddress(header.raw(h))).orElse(mailbox));
  }

  private static String sender(HeaderFields header, String mailbox) {
    List<String> returnPath = header.raw("Return-Path");
    if (!returnPath.isEmpty()) {
      if (Addresses.isNullPath(returnPath.get(0))) {
        return "";
      }
      return firstAddress(returnPath).orElse(mailbox);
    }
    List<String> from = header.raw("From");
    return from.isEmpty() ? "" : firstAddress(from).orElse(mailbox);
  }

  /** The first address of the first of these field bodies. */
  private static Optional<String> firstAddress(List<String> bodies) {
    return bodies.stream().findFirst().flatMap(b -> Addresses.parse(b).stream().findFirst());
  }
}
