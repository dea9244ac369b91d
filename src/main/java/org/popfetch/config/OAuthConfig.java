package org.popfetch.config;

import java.net.URI;
import java.util.Optional;

/**
 * An account's {@code oauth:} block: which authorization server issues its bearer tokens, and the
 * application registered there. Only values; the service turns them into a token client.
 *
 * @param provider a preset that knows its endpoints and scope, or {@link Provider#GENERIC}
 * @param clientId the registered application's client id
 * @param tenant Microsoft's tenant ({@code common} unless said); empty for other providers
 * @param clientSecret the client secret, for a confidential client (Google's desktop clients have
 *     one); resolved when a token request needs it
 * @param tokenEndpoint generic only: the token endpoint
 * @param deviceEndpoint generic only: the device authorization endpoint, for {@link Flow#DEVICE}
 * @param authorizationEndpoint generic only: the authorization endpoint, for {@link Flow#LOOPBACK}
 * @param scope generic only: the space-separated scopes a POP3 login needs
 * @param flow generic only: how {@code popfetch oauth login} authorizes; a preset has its own
 */
public record OAuthConfig(
    Provider provider,
    String clientId,
    Optional<String> tenant,
    Optional<Secret> clientSecret,
    Optional<URI> tokenEndpoint,
    Optional<URI> deviceEndpoint,
    Optional<URI> authorizationEndpoint,
    Optional<String> scope,
    Optional<Flow> flow) {

  /** Microsoft's tenant unless the block names one: any work, school or personal account. */
  public static final String DEFAULT_TENANT = "common";

  /** Whose authorization server. */
  public enum Provider {
    /** Microsoft 365 and Outlook.com (device grant). */
    MICROSOFT,
    /** Gmail (authorization code with PKCE and a loopback redirect). */
    GOOGLE,
    /** Any other server, by its endpoints and scope. */
    GENERIC
  }

  /** The one-time interactive authorization of {@code popfetch oauth login}. */
  public enum Flow {
    /** The device authorization grant: a code to enter in any browser. */
    DEVICE,
    /** The authorization code with PKCE and a redirect to 127.0.0.1. */
    LOOPBACK
  }
}
