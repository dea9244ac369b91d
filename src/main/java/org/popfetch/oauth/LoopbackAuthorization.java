package org.popfetch.oauth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.popfetch.net.LogText;

/**
 * The authorization code grant with PKCE (S256) and a loopback redirect (RFC 8252 §7.3): listens on
 * 127.0.0.1 (an ephemeral port unless one is given), shows the operator the authorization URL, and
 * takes the one redirect that carries the expected {@code state}.
 *
 * <p>On a server without a browser, the operator forwards the port from a desktop: {@code ssh -L
 * PORT:127.0.0.1:PORT server}, then opens the URL there. A fixed {@code port} makes that easier.
 */
public final class LoopbackAuthorization {
  private final TokenEndpoint endpoint;
  private final int port;

  /**
   * @param port the port to listen on at 127.0.0.1, or 0 for an ephemeral one
   */
  public LoopbackAuthorization(TokenEndpoint endpoint, int port) {
    this.endpoint = endpoint;
    this.port = port;
  }

  /**
   * Runs the grant to its end.
   *
   * @param show receives the authorization URL to open, and the redirect URI it leads back to
   * @param timeout how long to wait for the redirect
   * @return the tokens issued for the code
   * @throws OAuthException if the listener cannot start, no redirect with the right state arrives
   *     in time, the server reports an error, or the code exchange fails
   */
  public TokenResponse authorize(Consumer<URI> show, Duration timeout) throws OAuthException {
    String verifier = Pkce.randomToken();
    String state = Pkce.randomToken();
    CompletableFuture<Map<String, String>> redirect = new CompletableFuture<>();
    HttpServer server;
    try {
      InetAddress loopback = Inet4Address.getByAddress(new byte[] {127, 0, 0, 1});
      server = HttpServer.create(new InetSocketAddress(loopback, port), 0);
    } catch (IOException e) {
      throw new OAuthException(
          "cannot listen on 127.0.0.1:"
              + port
              + ": "
              + LogText.sanitize(String.valueOf(e.getMessage())),
          e);
    }
    server.createContext("/", x -> callback(x, state, redirect));
    server.start();
    try {
      URI redirectUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      show.accept(authorizationUrl(redirectUri, state, Pkce.challenge(verifier)));
      Map<String, String> params;
      try {
        params = redirect.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new OAuthException("no redirect came back within " + timeout.toSeconds() + " s");
      } catch (ExecutionException e) {
        throw new OAuthException("the redirect failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OAuthException("interrupted while waiting for the redirect", e);
      }
      if (params.containsKey("error")) {
        throw new OAuthException(
            "the authorization server refused: "
                + LogText.sanitize(params.get("error"), 60)
                + (params.containsKey("error_description")
                    ? ": " + LogText.sanitize(params.get("error_description"), 200)
                    : ""));
      }
      return endpoint.exchangeCode(params.get("code"), verifier, redirectUri);
    } finally {
      server.stop(0);
    }
  }

  URI authorizationUrl(URI redirectUri, String state, String challenge) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", endpoint.client().clientId());
    q.put("redirect_uri", redirectUri.toString());
    q.put("scope", endpoint.provider().scope());
    q.put("state", state);
    q.put("code_challenge", challenge);
    q.put("code_challenge_method", "S256");
    // Google gives a refresh token only with offline access, and again only on consent.
    q.put("access_type", "offline");
    q.put("prompt", "consent");
    StringBuilder b = new StringBuilder(endpoint.provider().authorizationUri().toString());
    char sep = b.indexOf("?") >= 0 ? '&' : '?';
    for (Map.Entry<String, String> e : q.entrySet()) {
      b.append(sep)
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return URI.create(b.toString());
  }

  /** Takes a redirect whose state matches; anything else gets a 400 and is ignored. */
  private static void callback(
      HttpExchange x, String state, CompletableFuture<Map<String, String>> redirect)
      throws IOException {
    Map<String, String> params = query(x.getRequestURI().getRawQuery());
    boolean ours =
        "GET".equals(x.getRequestMethod())
            && state.equals(params.get("state"))
            && (params.containsKey("code") || params.containsKey("error"));
    String text =
        ours
            ? "popfetch has the authorization; this window can be closed.\n"
            : "This is not the redirect popfetch is waiting for.\n";
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(ours ? 200 : 400, body.length);
    x.getResponseBody().write(body);
    x.close();
    if (ours) {
      redirect.complete(params);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.length() > 16 * 1024) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          out.putIfAbsent(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException ignored) {
          // a malformed escape: not a parameter of ours
        }
      }
    }
    return out;
  }
}
