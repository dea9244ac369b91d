package org.popfetch.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Google's and Microsoft's XOAUTH2: "user=U^Aauth=Bearer T^A^A". On failure the server sends a JSON
 * error as a challenge, which the client answers with an empty response so the server can send its
 * final -ERR.
 */
public final class XOAuth2Mechanism implements SaslMechanism {
  private final Credentials.OAuthToken credentials;
  private boolean failed;

  public XOAuth2Mechanism(Credentials.OAuthToken credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "XOAUTH2";
  }

  @Override
  public Optional<byte[]> initialResponse() {
    return Optional.of(
        ("user="
                + credentials.user()
                + "\u0001auth=Bearer "
                + credentials.accessToken()
                + "\u0001\u0001")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] respond(byte[] challenge) throws SaslException {
    if (challenge.length == 0 && !failed) {
      // The server did not take the initial response and asks for it now.
      failed = true;
      return initialResponse().orElseThrow();
    }
    if (failed && challenge.length != 0) {
      throw new SaslException("XOAUTH2: server kept sending challenges after an error");
    }
    failed = true;
    return new byte[0];
  }
}
