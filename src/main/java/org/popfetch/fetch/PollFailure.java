package org.popfetch.fetch;

import java.util.Locale;

/**
 * Why a poll ended early. Whatever the kind, every message not yet delivered is still on the
 * server.
 *
 * @param kind what went wrong, for exit statuses and backoff
 * @param message one line for the log, with the server's own words where there are any
 * @param needsOAuthLogin whether only {@code popfetch oauth login} mends it (an OAuth grant missing
 *     or refused by the authorization server), as the credential source said, never as a server's
 *     words might: asking again costs no server anything, so it is no reason to rest the account
 */
public record PollFailure(Kind kind, String message, boolean needsOAuthLogin) {
  /** A failure that a new OAuth authorization would not mend. */
  public PollFailure(Kind kind, String message) {
    this(kind, message, false);
  }

  /**
   * What an admin can do about it, in a few words to follow the message after "; ". For a
   * destination, the OS's reason in the message picks the advice (read-only file system, permission
   * denied, no such file, a full disk).
   */
  public String remedy() {
    if (needsOAuthLogin()) {
      // The message names the command already.
      return "nothing else to change or restart";
    }
    return switch (kind) {
      case CONNECT -> "check server: and port: and that the server is up; tried again next poll";
      case AUTH -> "check user: and password: (or oauth-token:) of the account";
      case CREDENTIALS ->
          "fix where the account's password: (or oauth-token:) comes from"
              + " (popfetch config check reads it); asked again at the next poll";
      case SERVER_BUSY -> "another client may hold the mailbox; tried again later";
      case PROTOCOL ->
          "tried again next poll; popfetch poll --trace ACCOUNT shows the conversation";
      case SECURITY ->
          "check tls:, ca-file: or fingerprint: against the server's certificate"
              + " (popfetch poll --trace ACCOUNT)";
      case SERVER_ERROR -> "popfetch poll --trace ACCOUNT shows the conversation";
      case DELIVERY ->
          deliveryRemedy()
              + (message.contains("stays on the server")
                  ? ""
                  : "; the mail stays on the server until then");
      case STORE -> "check state.url and the disk it is on";
      case CONFIG -> "change the account in the configuration (popfetch config check)";
      case INTERNAL -> "run with --trace for details, and please report it";
    };
  }

  private String deliveryRemedy() {
    String m = message.toLowerCase(Locale.ROOT);
    String who = System.getProperty("user.name", "popfetch");
    if (m.contains("read-only file system")) {
      return "make it writable (a systemd unit needs it in ReadWritePaths=), or deliver elsewhere";
    } else if (m.contains("permission denied") || m.contains("operation not permitted")) {
      return "let the user popfetch runs as (" + who + ") write there, or deliver elsewhere";
    } else if (m.contains("no space left") || m.contains("quota")) {
      return "free some space";
    } else if (m.contains("no such file")) {
      return "create it, or correct deliver: in the configuration";
    } else if (m.contains("ex_tempfail")) {
      return "the delivery agent asked to try later; popfetch tries again at the next poll";
    } else if (m.contains("exited with")) {
      return "see what the delivery agent logged";
    } else if (m.contains("symbolic link")) {
      return "deliver to the real path, or make the directories on the way writable by their owner"
          + " only";
    } else if (m.contains("as root")) {
      return "change deliver: in the configuration";
    }
    return "fix the destination";
  }

  public enum Kind {
    /** The server could not be reached. */
    CONNECT,
    /** The server refused the credentials. */
    AUTH,
    /**
     * The account's password or token could not be had from its source (a command failed, a file is
     * missing, a variable is unset); nothing was sent to the server.
     */
    CREDENTIALS,
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
