package org.popfetch.sasl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** RFC 2195: the user name and HMAC-MD5 of the server's challenge keyed with the password. */
public final class CramMd5Mechanism implements SaslMechanism {
  private final Credentials.Password credentials;
  private boolean answered;

  public CramMd5Mechanism(Credentials.Password credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "CRAM-MD5";
  }

  @Override
  public Optional<byte[]> initialResponse() {
    return Optional.empty();
  }

  @Override
  public byte[] respond(byte[] challenge) throws SaslException {
    if (answered) {
      throw new SaslException("CRAM-MD5: server sent a second challenge");
    }
    if (challenge.length == 0) {
      throw new SaslException("CRAM-MD5: server sent an empty challenge");
    }
    answered = true;
    return (credentials.user() + " " + HexFormat.of().formatHex(hmacMd5(challenge)))
        .getBytes(StandardCharsets.UTF_8);
  }

  private byte[] hmacMd5(byte[] challenge) {
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(
          new SecretKeySpec(credentials.password().getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      return mac.doFinal(challenge);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacMD5 is part of every Java runtime", e);
    }
  }
}
