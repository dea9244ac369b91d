package org.popfetch.autoconfig;

import java.util.Locale;

/**
 * An address to configure an account for, split at its last {@code @}.
 *
 * @param localPart what comes before the domain
 * @param domain the mail domain, lower case, an ASCII host name
 */
public record EmailAddress(String localPart, String domain) {
  /**
   * Parses {@code local@domain}.
   *
   * @throws IllegalArgumentException if there is no {@code @}, the local part is empty, too long or
   *     holds spaces or control characters, or the domain is not an ASCII host name
   */
  public static EmailAddress parse(String text) {
    int at = text.lastIndexOf('@');
    if (at <= 0 || at == text.length() - 1) {
      throw new IllegalArgumentException("expected an address like alice@example.org");
    }
    String local = text.substring(0, at);
    String domain = text.substring(at + 1).toLowerCase(Locale.ROOT);
    if (local.length() > 64 || local.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException(
          "the part before @ must be at most 64 characters without spaces or control characters");
    }
    if (!HostNames.isHostName(domain) || !domain.contains(".")) {
      throw new IllegalArgumentException("not a mail domain: the part after @ must be a host name");
    }
    return new EmailAddress(local, domain);
  }

  @Override
  public String toString() {
    return localPart + "@" + domain;
  }
}
