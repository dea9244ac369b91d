package org.popfetch.oauth;

import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code popfetch oauth login}: authorizes one account once, by its provider's flow, and stores the
 * refresh token that results.
 */
public final class OAuthLogin {
  private OAuthLogin() {}

  /**
   * Runs the provider's interactive flow and saves the refresh token.
   *
   * @param out where the code, URL and instructions are printed for the operator
   * @param port the loopback flow's port (0: ephemeral)
   * @throws OAuthException if the flow fails, or the answer has no refresh token (without one the
   *     account would need a login every hour), or it cannot be saved
   */
  public static void login(
      String account,
      TokenEndpoint endpoint,
      TokenStore store,
      PrintStream out,
      int port,
      DeviceAuthorization.Pause pause,
      Clock clock)
      throws OAuthException {
    TokenResponse tokens;
    if (endpoint.provider().flow() == OAuthProvider.Flow.DEVICE) {
      tokens =
          new DeviceAuthorization(endpoint, pause, clock)
              .authorize(
                  code -> {
                    out.println(
                        "To authorize popfetch for account "
                            + account
                            + ", open "
                            + code.verificationUri());
                    out.println("in any browser and enter the code " + code.userCode());
                    out.println("Waiting for the approval...");
                    out.flush();
                  });
    } else {
      tokens =
          new LoopbackAuthorization(endpoint, port)
              .authorize(
                  url -> {
                    out.println("To authorize popfetch for account " + account + ", open:");
                    out.println();
                    out.println("  " + url);
                    out.println();
                    int p = redirectPort(url);
                    out.println(
                        "in a browser on this machine. From another machine, forward the port"
                            + " first: ssh -L "
                            + p
                            + ":127.0.0.1:"
                            + p
                            + " this-host, then open the URL there.");
                    out.println("Waiting for the redirect...");
                    out.flush();
                  },
                  Duration.ofMinutes(10));
    }
    if (tokens.refreshToken() == null) {
      throw new OAuthException(
          "the authorization server gave no refresh token (for Microsoft, the scope needs"
              + " offline_access)");
    }
    store.save(account, tokens.refreshToken(), clock.instant());
    // The service polls with the stored token from its next poll on: nothing to restart.
    out.println(
        "Authorized: the refresh token is stored; popfetch refreshes access tokens itself.");
  }

  /**
   * The port of the URL's {@code redirect_uri} (http://127.0.0.1:PORT/), where the redirect goes.
   */
  static int redirectPort(URI authorizationUrl) {
    for (String pair : String.valueOf(authorizationUrl.getRawQuery()).split("&")) {
      if (pair.startsWith("redirect_uri=")) {
        URI redirect =
            URI.create(
                URLDecoder.decode(
                    pair.substring("redirect_uri=".length()), StandardCharsets.UTF_8));
        return redirect.getPort();
      }
    }
    throw new IllegalArgumentException("no redirect_uri in the authorization URL");
  }
}
