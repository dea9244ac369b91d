package org.popfetch.oauth;

import java.net.URI;
import java.util.Objects;

/**
 * Where an authorization server's endpoints are, what scope a POP3 login needs there, and which
 * interactive flow authorizes an account once.
 *
 * @param name shown to the operator
 * @param authorizationUri the authorization endpoint, for {@link Flow#LOOPBACK}; may be null
 * @param tokenUri the token endpoint
 * @param deviceUri the device authorization endpoint, for {@link Flow#DEVICE}; may be null
 * @param scope space-separated scopes to ask for
 * @param flow how {@code popfetch oauth login} authorizes
 */
public record OAuthProvider(
    String name, URI authorizationUri, URI tokenUri, URI deviceUri, String scope, Flow flow) {

  /** The one-time interactive authorization. */
  public enum Flow {
    /** The device authorization grant (RFC 8628): a code to enter in any browser. */
    DEVICE,
    /** The authorization code with PKCE and a redirect to 127.0.0.1 (RFC 8252, RFC 7636). */
    LOOPBACK
  }

  /** Microsoft's scope for POP3; {@code offline_access} is what brings a refresh token. */
  public static final String MICROSOFT_SCOPE =
      "https://outlook.office.com/POP.AccessAsUser.All offline_access";

  /** Google's scope for POP3 (it covers IMAP and SMTP too). */
  public static final String GOOGLE_SCOPE = "https://mail.google.com/";

  public OAuthProvider {
    Objects.requireNonNull(name);
    Objects.requireNonNull(tokenUri);
    Objects.requireNonNull(scope);
    Objects.requireNonNull(flow);
    if (flow == Flow.DEVICE && deviceUri == null) {
      throw new IllegalArgumentException("the device flow needs a device endpoint");
    }
    if (flow == Flow.LOOPBACK && authorizationUri == null) {
      throw new IllegalArgumentException("the loopback flow needs an authorization endpoint");
    }
  }

  /**
   * Microsoft 365 and Outlook.com: the device grant, at {@code login.microsoftonline.com}.
   *
   * @param tenant {@code common}, {@code organizations}, {@code consumers}, a domain or a GUID
   * @throws IllegalArgumentException if the tenant holds anything but letters, digits, dots and
   *     dashes (it becomes part of a URL path)
   */
  public static OAuthProvider microsoft(String tenant) {
    if (tenant.isEmpty() || !tenant.matches("[A-Za-z0-9.-]{1,100}")) {
      throw new IllegalArgumentException(
          "a tenant is common, organizations, consumers, a domain name or a GUID");
    }
    String base = "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/";
    return new OAuthProvider(
        "microsoft",
        URI.create(base + "authorize"),
        URI.create(base + "token"),
        URI.create(base + "devicecode"),
        MICROSOFT_SCOPE,
        Flow.DEVICE);
  }

  /** Gmail: Google refuses the device grant for mail scopes, so the loopback flow. */
  public static OAuthProvider google() {
    return new OAuthProvider(
        "google",
        URI.create("https://accounts.google.com/o/oauth2/auth"),
        URI.create("https://oauth2.googleapis.com/token"),
        null,
        GOOGLE_SCOPE,
        Flow.LOOPBACK);
  }
}
