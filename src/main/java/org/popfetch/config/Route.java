package org.popfetch.config;

import java.util.Locale;

/**
 * The way a forwarding destination sends: through a smarthost, to an LMTP server, or straight to
 * each recipient domain's MX hosts. Queue files name their route by {@link #id()}; the ids are
 * stored on disk, so their spelling must not change.
 */
public sealed interface Route {
  /** The id queue files carry: "smtp:host:port", "lmtp:host:port" or "mx". */
  String id();

  /**
   * The id of the queue files holding a copy for recipients in {@code domain}: {@link #id()}, but
   * for direct delivery one route per domain.
   */
  default String idFor(String domain) {
    return id();
  }

  /** A mail server that relays for us (SMTP). */
  record Smarthost(String host, int port) implements Route {
    @Override
    public String id() {
      return "smtp:" + host + ":" + port;
    }
  }

  /** A mailbox server that takes the message for local mailboxes (LMTP, RFC 2033). */
  record Lmtp(String host, int port) implements Route {
    @Override
    public String id() {
      return "lmtp:" + host + ":" + port;
    }
  }

  /**
   * Direct delivery to each recipient domain's MX hosts. The queue files of this route carry "mx:"
   * and the domain, one route per domain.
   */
  record Mx() implements Route {
    @Override
    public String id() {
      return "mx";
    }

    /** "mx:" and the domain in lower case; the queue runner sends it with this route's settings. */
    @Override
    public String idFor(String domain) {
      return id() + ":" + domain.toLowerCase(Locale.ROOT);
    }
  }
}
