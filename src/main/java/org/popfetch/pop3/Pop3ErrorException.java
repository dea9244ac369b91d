package org.popfetch.pop3;

/**
 * The server answered a command with -ERR. The connection is still usable.
 *
 * <p>{@link #condition()} tells the caller what the server meant, from its extended response code:
 * try later, fix the credentials, or call an admin.
 */
public final class Pop3ErrorException extends Pop3Exception {
  private final String command;
  private final Pop3Reply reply;

  public Pop3ErrorException(String server, String command, Pop3Reply reply) {
    super(server + " refused " + command + ": " + reply.line());
    this.command = command;
    this.reply = reply;
  }

  /** The command as it may be shown (arguments that are secrets masked). */
  public String command() {
    return command;
  }

  public Pop3Reply reply() {
    return reply;
  }

  public ResponseCondition condition() {
    return reply.condition();
  }
}
