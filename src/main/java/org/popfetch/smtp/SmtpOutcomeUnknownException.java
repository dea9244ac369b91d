package org.popfetch.smtp;

/**
 * The message was sent but the server's answer to the final "." never came. It may have been
 * delivered; it is sent again later, which may deliver it twice (RFC 5321 section 4.5.3.2 warns of
 * exactly this), never lose it.
 */
public final class SmtpOutcomeUnknownException extends SmtpException {
  public SmtpOutcomeUnknownException(String message, Throwable cause) {
    super(Kind.OUTCOME_UNKNOWN, message, null, cause);
  }
}
