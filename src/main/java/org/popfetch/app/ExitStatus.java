package org.popfetch.app;

import org.popfetch.config.ConfigException;
import org.popfetch.fetch.PollFailure;

/**
 * Exit statuses of {@code popfetch poll} and {@code check}, numbered as fetchmail documents its own
 * so that cron jobs written for fetchmail keep working; a usage error, which fetchmail does not
 * number, has sysexits' EX_USAGE (docs/adr/0004).
 */
enum ExitStatus {
  /** Mail was fetched (poll), or there is new mail (check). */
  MAIL(0),
  /** Nothing new. */
  NO_MAIL(1),
  /** The server could not be reached, or TLS as configured could not be had. */
  SOCKET(2),
  /** The server refused the credentials. */
  AUTH(3),
  /** The server broke the protocol, stalled or cut the connection. */
  PROTOCOL(4),
  /**
   * The configuration is wrong or names no account given on the command line, a secret cannot be
   * read or holds a line break, or {@code metrics.listen} cannot be listened on.
   */
  SYNTAX(5),
  /** A file holding secrets is readable by others. */
  PERMISSIONS(6),
  /** The server reported an error. */
  SERVER_ERROR(7),
  /** Another popfetch is polling with the same state store. */
  LOCKED(8),
  /** The mailbox is locked or the server is temporarily unable ([IN-USE], [SYS/TEMP]). */
  LOCK_BUSY(9),
  /** The destination could not take the mail (fetchmail's code for delivery errors). */
  DELIVERY(10),
  /**
   * Something inside popfetch failed: the state store, a state directory that cannot be made or
   * written, memory, or anything unexpected (one line, no stack trace but with --trace).
   */
  INTERNAL(23),
  /**
   * The command line is wrong: an unknown option or command, a missing or extra argument (sysexits
   * EX_USAGE). fetchmail has no status for it; 2 would read as a connection failure.
   */
  USAGE(64);

  final int code;

  ExitStatus(int code) {
    this.code = code;
  }

  /** Secrets readable by others get fetchmail's "bad permissions" status; the rest is syntax. */
  static ExitStatus of(ConfigException.Kind kind) {
    return switch (kind) {
      case SYNTAX -> SYNTAX;
      case INSECURE_SECRETS -> PERMISSIONS;
    };
  }

  static ExitStatus of(PollFailure.Kind kind) {
    return switch (kind) {
      case CONNECT, SECURITY -> SOCKET;
      case AUTH -> AUTH;
      case PROTOCOL -> PROTOCOL;
      case SERVER_BUSY -> LOCK_BUSY;
      case SERVER_ERROR -> SERVER_ERROR;
      case DELIVERY -> DELIVERY;
      case STORE, INTERNAL -> INTERNAL;
      case CONFIG, CREDENTIALS -> SYNTAX;
    };
  }
}
