package org.popfetch.oauth;

import java.util.Objects;

/**
 * The application registered at the authorization server.
 *
 * @param clientId the registration's client id
 * @param clientSecret the client secret, resolved when a request needs it; null for a public client
 */
public record OAuthClient(String clientId, ClientSecret clientSecret) {
  public OAuthClient {
    Objects.requireNonNull(clientId);
  }

  /** Fetches the client secret at the moment it is sent (it may come from a command or a file). */
  @FunctionalInterface
  public interface ClientSecret {
    /**
     * The secret's value.
     *
     * @throws OAuthException if it cannot be read; the message says why, without the value
     */
    String value() throws OAuthException;
  }

  @Override
  public String toString() {
    return "OAuthClient[clientId="
        + clientId
        + (clientSecret == null ? "]" : ", clientSecret=****]");
  }
}
