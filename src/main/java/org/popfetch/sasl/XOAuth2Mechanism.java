package org.popfetch.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Google's and Microsoft's XOAUTH2: "user=U^Aauth=Bearer T^A^A".
 *
 * <p>Always sent in two steps: the AUTH command alone, then the token in answer to the server's
 * empty challenge. Microsoft's POP3 and SMTP servers take no other form, and Google's take this one
 * too; a token rarely fits the 255 octets of a POP3 command anyway (RFC 5034). On failure the
 * server sends a JSON error as a challenge, which is answered with an empty response so that the
 * server can send its final error.
 */
public final class XOAuth2Mechanism implements SaslMechanism {
  private final Credentials.OAuthToken credentials;
  private boolean sentToken;
  private boolean answeredError;

  public XOAuth2Mechanism(Credentials.OAuthToken credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "XOAUTH2";
  }

  /** None: the token goes in the continuation (see the class comment). */
  @Override
  public Optional<byte[]> initialResponse() {
    return Optional.empty();
  }

  /**
   * The token, in answer to the server's first (empty) challenge; an empty response to the error
   * challenge that may follow it.
   *
   * @throws SaslException if the first challenge is not empty, or a challenge follows the error
   */
  @Override
  public byte[] respond(byte[] challenge) throws SaslException {
    if (!sentToken) {
      if (challenge.length != 0) {
        throw new SaslException("XOAUTH2: server sent a challenge before the token");
      }
      sentToken = true;
      return message();
    }
    if (answeredError) {
      throw new SaslException("XOAUTH2: server kept sending challenges after an error");
    }
    answeredError = true;
    return new byte[0];
  }

  private byte[] message() {
    return ("user="
            + credentials.user()
            + "\u0001auth=Bearer "
            + credentials.accessToken()
            + "\u0001\u0001")
        .getBytes(StandardCharsets.UTF_8);
  }
}
