package org.popfetch.oauth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.popfetch.net.LogText;

/**
 * Talks to one authorization server's token and device endpoints for one client (RFC 6749 §5, RFC
 * 8628 §3). One request per call: nothing here retries.
 *
 * <p>Answers are read up to {@link JsonObject#MAX_BYTES}; an error is reported with the server's
 * {@code error} and {@code error_description}, escaped and cut short, and never with a token.
 */
public final class TokenEndpoint {
  static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

  /** Tokens and codes are sent in a protocol line later; longer ones are refused. */
  private static final int MAX_TOKEN_LENGTH = 16 * 1024;

  private final OAuthProvider provider;
  private final OAuthClient client;
  private final HttpClient http;
  private final Duration timeout;

  public TokenEndpoint(OAuthProvider provider, OAuthClient client, Duration timeout) {
    this.provider = provider;
    this.client = client;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public OAuthProvider provider() {
    return provider;
  }

  public OAuthClient client() {
    return client;
  }

  /**
   * The refresh grant (RFC 6749 §6).
   *
   * @throws ReauthorizationNeededException on {@code invalid_grant}
   * @throws OAuthException on any other error answer, a malformed answer, or a network failure
   */
  public TokenResponse refresh(String account, String refreshToken) throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken);
    form.put("scope", provider.scope());
    Answer a = post(provider.tokenUri(), form);
    if (a.status() != 200) {
      if ("invalid_grant".equals(a.error())) {
        throw new ReauthorizationNeededException(
            account, "the authorization server refused the refresh token (" + a.describe() + ")");
      }
      throw new OAuthException("refreshing the access token failed: " + a.describe());
    }
    return tokens(a.body());
  }

  /** The authorization code grant with PKCE (RFC 6749 §4.1.3, RFC 7636 §4.5). */
  TokenResponse exchangeCode(String code, String verifier, URI redirectUri) throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("code_verifier", verifier);
    form.put("redirect_uri", redirectUri.toString());
    Answer a = post(provider.tokenUri(), form);
    if (a.status() != 200) {
      throw new OAuthException("exchanging the authorization code failed: " + a.describe());
    }
    return tokens(a.body());
  }

  /** Starts a device authorization (RFC 8628 §3.1). */
  DeviceCode startDevice() throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("scope", provider.scope());
    Answer a = post(provider.deviceUri(), form);
    if (a.status() != 200) {
      throw new OAuthException("the device authorization request failed: " + a.describe());
    }
    JsonObject j = a.body();
    String device = token(j, "device_code");
    String user = token(j, "user_code");
    // Google says verification_url; RFC 8628 says verification_uri.
    String uri =
        j.string("verification_uri")
            .or(() -> j.string("verification_url"))
            .orElseThrow(() -> new OAuthException("the device answer has no verification_uri"));
    URI verification;
    try {
      verification = new URI(uri);
    } catch (URISyntaxException e) {
      throw new OAuthException("the device answer's verification_uri is not a URI");
    }
    if (!"https".equals(verification.getScheme()) && !"http".equals(verification.getScheme())) {
      throw new OAuthException("the device answer's verification_uri is not an http(s) URL");
    }
    long lifetime = j.wholeNumber("expires_in").orElse(900L);
    long interval = j.wholeNumber("interval").orElse(5L);
    return new DeviceCode(
        device,
        user,
        verification,
        Duration.ofSeconds(Math.min(lifetime, 3600)),
        Duration.ofSeconds(Math.max(1, Math.min(interval, 60))));
  }

  /** One poll of the token endpoint for a device code (RFC 8628 §3.4); the caller reads errors. */
  Answer pollDevice(DeviceCode code) throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", DEVICE_GRANT);
    form.put("device_code", code.deviceCode());
    return post(provider.tokenUri(), form);
  }

  /** An answer's status and body. */
  record Answer(int status, JsonObject body) {
    String error() {
      return body.string("error").orElse(null);
    }

    String describe() {
      String error =
          body.string("error").map(e -> LogText.sanitize(e, 60)).orElse("HTTP " + status);
      return body.string("error_description")
          .map(d -> error + ": " + LogText.sanitize(d, 200))
          .orElse(error);
    }
  }

  static TokenResponse tokens(JsonObject j) throws OAuthException {
    String access = token(j, "access_token");
    String refresh = j.has("refresh_token") ? token(j, "refresh_token") : null;
    // Without expires_in, an hour (what Microsoft and Google issue) is assumed.
    long lifetime = j.wholeNumber("expires_in").orElse(3600L);
    return new TokenResponse(access, refresh, Duration.ofSeconds(Math.min(lifetime, 366L * 86400)));
  }

  private static String token(JsonObject j, String name) throws OAuthException {
    String v = j.string(name).orElseThrow(() -> new OAuthException("the answer has no " + name));
    if (v.isEmpty() || v.length() > MAX_TOKEN_LENGTH) {
      throw new OAuthException("the answer's " + name + " is empty or too long");
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new OAuthException("the answer's " + name + " holds a character not allowed in it");
      }
    }
    return v;
  }

  Answer post(URI uri, Map<String, String> fields) throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>(fields);
    form.put("client_id", client.clientId());
    if (client.clientSecret() != null) {
      form.put("client_secret", client.clientSecret().value());
    }
    StringJoiner body = new StringJoiner("&");
    form.forEach(
        (k, v) ->
            body.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    String where = LogText.sanitize(uri.getHost() == null ? uri.toString() : uri.getHost(), 100);
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String text;
      try (InputStream in = response.body()) {
        byte[] bytes = in.readNBytes(JsonObject.MAX_BYTES + 1);
        if (bytes.length > JsonObject.MAX_BYTES) {
          throw new OAuthException(
              where + " answered HTTP " + response.statusCode() + " with an oversized body");
        }
        text = new String(bytes, StandardCharsets.UTF_8);
      }
      try {
        return new Answer(response.statusCode(), JsonObject.parse(text));
      } catch (JsonObject.JsonException e) {
        throw new OAuthException(
            where
                + " answered HTTP "
                + response.statusCode()
                + " with a body that is not a JSON object ("
                + e.getMessage()
                + ")");
      }
    } catch (IOException e) {
      throw new OAuthException(
          "cannot reach " + where + ": " + LogText.sanitize(String.valueOf(e.getMessage()), 200),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OAuthException("interrupted while waiting for " + where, e);
    }
  }
}
