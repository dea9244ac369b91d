package org.popfetch.pop3;

/**
 * The connection does not meet the configured security: TLS not offered or refused, a certificate
 * not accepted, a login mechanism not available, a plaintext login not allowed. Raised before any
 * credential is sent. A configuration or server problem, not a transient one.
 */
public final class Pop3SecurityException extends Pop3Exception {
  public Pop3SecurityException(String message) {
    super(message);
  }

  public Pop3SecurityException(String message, Throwable cause) {
    super(message, cause);
  }
}
