package org.popfetch.oauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.popfetch.testing.ScriptedServer;

/**
 * The fake authorization server as tests of other packages use it: the {@code oauth:} block that
 * points an account at it, refresh tokens issued as if a login had happened, the count of token
 * requests, and a POP3 script that takes only an access token it issued and that is still valid.
 */
public final class OAuthTestServer implements AutoCloseable {
  private final FakeAuthorizationServer fake;

  /** Access tokens last {@code lifetime}; the device flow is approved at its second poll. */
  public OAuthTestServer(Duration lifetime) throws IOException {
    fake = new FakeAuthorizationServer(Clock.systemUTC());
    fake.lifetime = lifetime;
    fake.pendingPolls = 1;
  }

  /** A generic {@code oauth:} block in flow style, device flow, plain http on 127.0.0.1. */
  public String oauthBlock() {
    return "{ provider: generic, client-id: "
        + fake.clientId
        + ", token-endpoint: \""
        + fake.uri("/token")
        + "\", device-endpoint: \""
        + fake.uri("/devicecode")
        + "\", scope: \"mail offline\" }";
  }

  /** A refresh token the server accepts (once: it rotates). */
  public String issueRefreshToken() {
    return fake.issueRefreshToken();
  }

  public int refreshRequests() {
    return fake.refreshRequests.get();
  }

  public int tokenRequests() {
    return fake.tokenRequests.get();
  }

  /**
   * One POP3 session for {@code user}: XOAUTH2 in two steps, {@code +OK} only for a token this
   * server issued that has not expired, then an empty mailbox.
   */
  public ScriptedServer.Script pop3(String user) {
    return c -> {
      c.send("+OK ready");
      c.expect("CAPA");
      c.send("+OK", "SASL XOAUTH2", "UIDL", ".");
      c.expect("AUTH XOAUTH2");
      c.send("+ ");
      String payload = new String(Base64.getDecoder().decode(c.readLine()), StandardCharsets.UTF_8);
      String prefix = "user=" + user + "\u0001auth=Bearer ";
      String token =
          payload.startsWith(prefix) && payload.endsWith("\u0001\u0001")
              ? payload.substring(prefix.length(), payload.length() - 2)
              : "";
      if (!fake.isValidAccessToken(token)) {
        c.send("-ERR Authentication failure: unknown user name or bad password.");
        c.readUntilClose();
        return;
      }
      c.send("+OK User successfully authenticated.");
      c.expect("CAPA");
      c.send("+OK", "SASL XOAUTH2", "UIDL", ".");
      c.expectAfterAnyStat("LIST", "+OK 0 0");
      c.send("+OK", ".");
      c.expect("UIDL");
      c.send("+OK", ".");
      c.expect("QUIT");
      c.send("+OK bye");
    };
  }

  @Override
  public void close() {
    fake.close();
  }
}
