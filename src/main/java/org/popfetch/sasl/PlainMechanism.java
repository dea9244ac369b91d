package org.popfetch.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** RFC 4616: the authorization identity (empty), user and password in one response. */
public final class PlainMechanism implements SaslMechanism {
  private final Credentials.Password credentials;

  public PlainMechanism(Credentials.Password credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "PLAIN";
  }

  @Override
  public Optional<byte[]> initialResponse() {
    return Optional.of(message());
  }

  @Override
  public byte[] respond(byte[] challenge) throws SaslException {
    // A server that did not take the initial response asks with an empty challenge.
    if (challenge.length != 0) {
      throw new SaslException("unexpected PLAIN challenge");
    }
    return message();
  }

  private byte[] message() {
    return ("\0" + credentials.user() + "\0" + credentials.password())
        .getBytes(StandardCharsets.UTF_8);
  }
}
