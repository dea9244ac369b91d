package org.popfetch.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The LOGIN mechanism (draft-murchison-sasl-login): the user name, then the password, each in
 * answer to a prompt. Servers word the prompts differently, so only their order matters.
 */
public final class LoginMechanism implements SaslMechanism {
  private final Credentials.Password credentials;
  private int step;

  public LoginMechanism(Credentials.Password credentials) {
    this.credentials = credentials;
  }

  @Override
  public String name() {
    return "LOGIN";
  }

  @Override
  public Optional<byte[]> initialResponse() {
    return Optional.empty();
  }

  @Override
  public byte[] respond(byte[] challenge) throws SaslException {
    return switch (step++) {
      case 0 -> credentials.user().getBytes(StandardCharsets.UTF_8);
      case 1 -> credentials.password().getBytes(StandardCharsets.UTF_8);
      default -> throw new SaslException("LOGIN: server asked for more than user and password");
    };
  }
}
