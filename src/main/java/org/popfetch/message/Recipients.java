package org.popfetch.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The recipients of a message fetched from a multidrop mailbox, which POP3 does not carry: from a
 * header that the provider wrote with the envelope recipient (Delivered-To, X-Original-To,
 * Envelope-To...), else guessed from the address fields.
 *
 * <p>The envelope headers are tried in the order configured. Of each, the instances a provider adds
 * for its own mailbox are skipped ({@code skip}, fetchmail's "envelope N HEADER"), and the next one
 * is read: its addresses, all of them, are the recipients. The first header that yields an address
 * wins. Without one, the addresses of Resent-To and Resent-Cc are taken if either field is there (a
 * resent message is meant for them, the original To has had it), else those of To and Cc.
 *
 * <p>Addresses are read as written ({@link Addresses#parse}): encoded-words are never decoded, a
 * member that is no plain address is skipped, and at most {@link #MAX_RECIPIENTS} are taken. The
 * same address written twice (in To and in Cc, or in two cases) is one recipient.
 */
public final class Recipients {
  /** Recipients taken from one message at most; the rest are not looked at. */
  public static final int MAX_RECIPIENTS = 1000;

  private static final List<String> RESENT = List.of("Resent-To", "Resent-Cc");
  private static final List<String> ADDRESSED = List.of("To", "Cc");

  private Recipients() {}

  /**
   * A header that carries the envelope recipient.
   *
   * @param name the field name, such as Delivered-To
   * @param skip how many of its first instances to pass over: the provider's own
   */
  public record EnvelopeHeader(String name, int skip) {
    public EnvelopeHeader {
      Objects.requireNonNull(name, "name");
      if (skip < 0) {
        throw new IllegalArgumentException("skip < 0");
      }
    }

    @Override
    public String toString() {
      return skip == 0 ? name : name + " (skip " + skip + ")";
    }
  }

  /**
   * What was found.
   *
   * @param addresses the recipients, in the order written, each once (the first spelling kept)
   * @param source where they came from, for logs: the envelope header's name, "Resent-To/Resent-Cc"
   *     or "To/Cc"
   * @param fromEnvelope whether an envelope header gave them
   */
  public record Found(List<String> addresses, String source, boolean fromEnvelope) {
    public Found {
      addresses = List.copyOf(addresses);
    }
  }

  /**
   * The recipients of one message.
   *
   * @param envelope the envelope headers to try, in order; empty: the address fields only
   * @return the recipients and where they came from; empty addresses if the message names none
   */
  public static Found of(HeaderFields header, List<EnvelopeHeader> envelope) {
    for (EnvelopeHeader h : envelope) {
      List<String> instances = header.raw(h.name());
      if (instances.size() > h.skip()) {
        List<String> found = distinct(List.of(instances.get(h.skip())));
        if (!found.isEmpty()) {
          return new Found(found, h.name(), true);
        }
      }
    }
    List<String> resent = fields(header, RESENT);
    if (!resent.isEmpty()) {
      return new Found(distinct(resent), "Resent-To/Resent-Cc", false);
    }
    return new Found(distinct(fields(header, ADDRESSED)), "To/Cc", false);
  }

  private static List<String> fields(HeaderFields header, List<String> names) {
    List<String> bodies = new ArrayList<>();
    for (String n : names) {
      bodies.addAll(header.raw(n));
    }
    return bodies;
  }

  /** The addresses of these field bodies, each once ignoring case, at most the cap. */
  private static List<String> distinct(List<String> bodies) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String body : bodies) {
      for (String a : Addresses.parse(body)) {
        if (out.size() >= MAX_RECIPIENTS) {
          return List.copyOf(out.values());
        }
        out.putIfAbsent(a.toLowerCase(Locale.ROOT), a);
      }
    }
    return List.copyOf(out.values());
  }
}
