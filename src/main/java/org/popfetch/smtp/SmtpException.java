package org.popfetch.smtp;

import java.io.IOException;
import java.util.Optional;

/**
 * Root of the SMTP client's failures; the message names the server and its own words. Whether a
 * later attempt may succeed follows from the {@link Kind} and, for a refusal, from the server's
 * reply.
 */
public class SmtpException extends IOException {
  /** How the session failed. */
  public enum Kind {
    /** The server answered a command with 4yz or 5yz: the reply decides. */
    REFUSED,
    /** The connection could not be made, timed out, was cut, or the peer broke the protocol. */
    CONNECTION,
    /**
     * The session cannot be had as configured: TLS not offered or not verified, no usable
     * authentication mechanism, credentials not to be sent in the clear. Nothing was sent; a retry
     * changes nothing until the configuration or the server does.
     */
    SETUP,
    /** The message went out but the answer to the final "." never came: it may have arrived. */
    OUTCOME_UNKNOWN
  }

  private final Kind kind;
  private final SmtpReply reply;

  protected SmtpException(Kind kind, String message, SmtpReply reply, Throwable cause) {
    super(message, cause);
    if (kind == Kind.REFUSED && reply == null) {
      throw new IllegalArgumentException("a refusal needs the server's reply");
    }
    this.kind = kind;
    this.reply = reply;
  }

  /** The connection failed; a later attempt may succeed. */
  public static SmtpException connection(String message, Throwable cause) {
    return new SmtpException(Kind.CONNECTION, message, null, cause);
  }

  /** The session cannot be had as configured; nothing was sent. */
  public static SmtpException setup(String message, Throwable cause) {
    return new SmtpException(Kind.SETUP, message, null, cause);
  }

  /**
   * The server's reply stops the session before anything was sent (a refused STARTTLS, say); it is
   * as temporary as the reply.
   */
  public static SmtpException refused(String message, SmtpReply reply) {
    return new SmtpException(Kind.REFUSED, message, reply, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The server's reply, for a refusal. */
  public Optional<SmtpReply> serverReply() {
    return Optional.ofNullable(reply);
  }

  /**
   * True where a later attempt may succeed: a 4yz reply, a failed connection, an outcome not known;
   * false for a 5yz reply and for a session that cannot be had as configured.
   */
  public boolean isTransient() {
    return switch (kind) {
      case REFUSED -> reply.isTransient();
      case CONNECTION, OUTCOME_UNKNOWN -> true;
      case SETUP -> false;
    };
  }
}
