package org.popfetch.smtp;

import java.io.IOException;

/** Root of the SMTP client's failures; the message names the server and its own words. */
public class SmtpException extends IOException {
  private final boolean transientFailure;

  public SmtpException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  /** True where a later attempt may succeed (4yz, a cut connection, a timeout). */
  public boolean isTransient() {
    return transientFailure;
  }
}
