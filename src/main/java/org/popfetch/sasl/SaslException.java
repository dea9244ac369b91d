package org.popfetch.sasl;

import java.io.IOException;

/** A SASL exchange cannot go on: an unexpected or malformed challenge, or a refused choice. */
public final class SaslException extends IOException {
  public SaslException(String message) {
    super(message);
  }
}
