package org.popfetch.smtp;

/** The server answered a command with 4yz or 5yz. */
public final class SmtpReplyException extends SmtpException {
  private final String command;

  public SmtpReplyException(String server, String command, SmtpReply reply) {
    super(Kind.REFUSED, server + " refused " + command + ": " + reply, reply, null);
    this.command = command;
  }

  /** The command refused, as traced (a secret masked). */
  public String command() {
    return command;
  }

  public SmtpReply reply() {
    return serverReply().orElseThrow();
  }
}
