package org.popfetch.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * RFC 7628 OAUTHBEARER: a GS2 header and the bearer token. On failure the server sends a JSON error
 * as a challenge and the client must answer with a single %x01 (section 3.2.3).
 */
public final class OAuthBearerMechanism implements SaslMechanism {
  private static final byte[] ERROR_ACK = {0x01};

  private final Credentials.OAuthToken credentials;
  private boolean sentInitial;
  private boolean acknowledgedError;

  public OAuthBearerMechanism(Credentials.OAuthToken credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "OAUTHBEARER";
  }

  @Override
  public Optional<byte[]> initialResponse() {
    sentInitial = true;
    return Optional.of(message());
  }

  private byte[] message() {
    String user = credentials.user().replace("=", "=3D").replace(",", "=2C");
    return ("n,a=" + user + ",\u0001auth=Bearer " + credentials.accessToken() + "\u0001\u0001")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] respond(byte[] challenge) throws SaslException {
    if (challenge.length == 0 && !sentInitial) {
      sentInitial = true;
      return message();
    }
    if (acknowledgedError) {
      throw new SaslException("OAUTHBEARER: server kept sending challenges after an error");
    }
    acknowledgedError = true;
    return ERROR_ACK;
  }
}
