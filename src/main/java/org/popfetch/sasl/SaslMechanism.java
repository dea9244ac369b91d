package org.popfetch.sasl;

import java.util.Optional;

/**
 * The client side of one SASL exchange. One instance serves one authentication attempt.
 *
 * <p>Call order: {@link #initialResponse()} once, then {@link #respond(byte[])} for each server
 * challenge until the server answers with a final status.
 */
public interface SaslMechanism {
  /** The IANA name, e.g. "PLAIN". */
  String name();

  /** The response sent with the AUTH command, if the mechanism has one. */
  Optional<byte[]> initialResponse();

  /**
   * The answer to one server challenge (already base64-decoded).
   *
   * @throws SaslException if the challenge is not one this mechanism can answer
   */
  byte[] respond(byte[] challenge) throws SaslException;
}
