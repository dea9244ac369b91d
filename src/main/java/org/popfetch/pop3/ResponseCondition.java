package org.popfetch.pop3;

import java.util.Locale;
import java.util.Optional;

/**
 * What an -ERR means, from its extended response code (RFC 2449 section 8, RFC 3206). A scheduler
 * uses this to tell "try later" from "fix your password".
 */
public enum ResponseCondition {
  /** [IN-USE]: the maildrop is locked, probably by another session. Retry later. */
  IN_USE,
  /** [LOGIN-DELAY]: logged in too soon after the last login. Retry after the server's delay. */
  LOGIN_DELAY,
  /** [SYS/TEMP]: a transient server problem. Retry later. */
  SYS_TEMP,
  /** [SYS/PERM]: a server problem an admin must fix. Back off long. */
  SYS_PERM,
  /** [AUTH]: the credentials were rejected. Stop and tell the admin. */
  AUTH,
  /** A response code this client does not know. */
  OTHER_CODE,
  /** No response code: the server did not say why. */
  UNSPECIFIED;

  /** True where retrying later is expected to succeed without anyone doing anything. */
  public boolean isTransient() {
    return this == IN_USE || this == LOGIN_DELAY || this == SYS_TEMP;
  }

  static ResponseCondition of(Optional<String> code) {
    if (code.isEmpty()) {
      return UNSPECIFIED;
    }
    // Codes are hierarchical: "SYS/TEMP/DISK" is a kind of SYS/TEMP.
    String c = code.get().toUpperCase(Locale.ROOT);
    if (c.equals("IN-USE") || c.startsWith("IN-USE/")) {
      return IN_USE;
    }
    if (c.equals("LOGIN-DELAY") || c.startsWith("LOGIN-DELAY/")) {
      return LOGIN_DELAY;
    }
    if (c.equals("SYS/TEMP") || c.startsWith("SYS/TEMP/")) {
      return SYS_TEMP;
    }
    if (c.equals("SYS/PERM") || c.startsWith("SYS/PERM/")) {
      return SYS_PERM;
    }
    if (c.equals("AUTH") || c.startsWith("AUTH/")) {
      return AUTH;
    }
    return OTHER_CODE;
  }
}
