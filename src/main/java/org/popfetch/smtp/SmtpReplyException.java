package org.popfetch.smtp;

/** The server answered a command with 4yz or 5yz. */
public final class SmtpReplyException extends SmtpException {
  private final String command;
  private final SmtpReply reply;

  public SmtpReplyException(String server, String command, SmtpReply reply) {
    super(server + " refused " + command + ": " + reply, reply.isTransient(), null);
    this.command = command;
    this.reply = reply;
  }

  public String command() {
    return command;
  }

  public SmtpReply reply() {
    return reply;
  }
}
