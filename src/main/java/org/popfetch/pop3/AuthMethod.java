package org.popfetch.pop3;

import java.util.Locale;
import java.util.Optional;

/** How to log in. {@link #AUTO} takes the strongest method both sides support. */
public enum AuthMethod {
  AUTO(null),
  USER(null),
  APOP(null),
  PLAIN("PLAIN"),
  LOGIN("LOGIN"),
  CRAM_MD5("CRAM-MD5"),
  XOAUTH2("XOAUTH2"),
  OAUTHBEARER("OAUTHBEARER");

  private final String saslName;

  AuthMethod(String saslName) {
    this.saslName = saslName;
  }

  /** The SASL mechanism name, for methods that are SASL mechanisms. */
  public Optional<String> saslName() {
    return Optional.ofNullable(saslName);
  }

  /** Parses the names used in configs: "auto", "user", "apop", "plain", "cram-md5", ... */
  public static AuthMethod parse(String text) {
    return valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
