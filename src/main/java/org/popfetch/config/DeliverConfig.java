package org.popfetch.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where an account's mail goes. */
public sealed interface DeliverConfig {
  /**
   * {@code { maildir: /absolute/path, user: alice }}.
   *
   * @param user deliver as this local user, through the user's delivery agent; empty: as popfetch
   */
  record Maildir(Path path, Optional<String> user) implements DeliverConfig {
    public Maildir(Path path) {
      this(path, Optional.empty());
    }
  }

  /**
   * {@code { mbox: /absolute/path, user: alice }}: mboxrd, locked with fcntl and a dotlock.
   *
   * @param user deliver as this local user, through the user's delivery agent; empty: as popfetch
   */
  record Mbox(Path path, Optional<String> user) implements DeliverConfig {
    public Mbox(Path path) {
      this(path, Optional.empty());
    }
  }

  /**
   * {@code { pipe: [program, args...], timeout: 10m, user: alice }}: a delivery agent run without a
   * shell, the message on its standard input.
   *
   * @param user run the program as this user (popfetch must run as root); empty: as popfetch
   * @param allowRoot run it as root when popfetch runs as root (for agents such as procmail -d that
   *     drop privileges themselves); refused otherwise
   */
  record Pipe(List<String> argv, Duration timeout, Optional<String> user, boolean allowRoot)
      implements DeliverConfig {
    public Pipe {
      argv = List.copyOf(argv);
    }

    public Pipe(List<String> argv, Duration timeout) {
      this(argv, timeout, Optional.empty(), false);
    }
  }

  /** How a forwarding connection is secured: TLS from the start, STARTTLS, or not at all. */
  enum Tls {
    IMPLICIT,
    STARTTLS,
    NONE
  }

  /**
   * {@code { smtp: { host: localhost, port: 25, tls: starttls, to: [alice@example.org] } }}:
   * forwarded through the queue to a mail server (SMTP) or a mailbox server (LMTP).
   *
   * @param tls how the connection is secured
   * @param user login name, if the server wants one
   * @param password its password
   * @param to fixed recipients; empty: each message's envelope recipient
   * @param mx deliver directly to each recipient domain's MX hosts instead of to {@code host}
   */
  record Smtp(
      String host,
      int port,
      Tls tls,
      Optional<String> user,
      Optional<Secret> password,
      List<String> to,
      boolean lmtp,
      Optional<Path> caFile,
      Optional<byte[]> fingerprint,
      boolean mx)
      implements DeliverConfig {
    public Smtp {
      to = List.copyOf(to);
    }

    /** The queue route this destination sends through. */
    public Route route() {
      if (mx) {
        return new Route.Mx();
      }
      return lmtp ? new Route.Lmtp(host, port) : new Route.Smarthost(host, port);
    }
  }
}
