package org.popfetch.net;

import javax.net.ssl.SSLException;

/** The TLS handshake failed or the peer's certificate was not accepted. */
public final class TlsVerificationException extends SSLException {
  public TlsVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
