package org.popfetch.fetch;

/**
 * Why a poll ended early. Whatever the kind, every message not yet delivered is still on the
 * server.
 *
 * @param kind what went wrong, for exit statuses and backoff
 * @param message one line for the log, with the server's own words where there are any
 */
public record PollFailure(Kind kind, String message) {
  public enum Kind {
    /** The server could not be reached. */
    CONNECT,
    /** The server refused the credentials. */
    AUTH,
    /** The mailbox is busy or the server has a passing problem ([IN-USE], [SYS/TEMP], ...). */
    SERVER_BUSY,
    /** The server broke the protocol, stalled or cut the connection. */
    PROTOCOL,
    /** The configured TLS or login security could not be had. */
    SECURITY,
    /** The server answered -ERR where nothing else explains it. */
    SERVER_ERROR,
    /** The destination could not take the mail (disk full, unwritable). */
    DELIVERY,
    /** The seen-UID store failed. */
    STORE,
    /** The account's settings cannot work with this server (keep without UIDL). */
    CONFIG,
    /**
     * popfetch itself failed during the poll (out of memory, a bug); the session ended without
     * QUIT.
     */
    INTERNAL
  }
}
