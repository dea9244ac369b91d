package org.popfetch.autoconfig;

import java.util.Locale;
import java.util.regex.Pattern;

/** Host names read from DNS or a document: only letters, digits, hyphens and dots pass. */
final class HostNames {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private HostNames() {}

  /** True for an ASCII host name (LDH labels, at most 253 characters, no trailing dot). */
  static boolean isHostName(String name) {
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    for (String label : name.toLowerCase(Locale.ROOT).split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  /** True when the host is the domain itself or a name under it. */
  static boolean within(String host, String domain) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals(domain) || h.endsWith("." + domain);
  }
}
