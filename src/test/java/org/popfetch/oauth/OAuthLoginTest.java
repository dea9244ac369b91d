package org.popfetch.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.TestClock;

class OAuthLoginTest {
  @TempDir Path state;
  final TestClock clock = new TestClock();
  final List<Duration> pauses = new ArrayList<>();
  FakeAuthorizationServer idp;
  TokenStore store;

  @BeforeEach
  void start() throws Exception {
    idp = new FakeAuthorizationServer(clock);
    store = TokenStore.inStateDirectory(state);
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private TokenEndpoint endpoint(OAuthProvider.Flow flow) {
    return new TokenEndpoint(
        idp.provider(flow), new OAuthClient(idp.clientId, null), Duration.ofSeconds(10));
  }

  @Test
  void theDeviceGrantPollsThroughPendingAndSlowDownThenStoresTheRefreshToken() throws Exception {
    idp.slowDowns = 1;
    idp.pendingPolls = 2;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OAuthLogin.login(
        "work",
        endpoint(OAuthProvider.Flow.DEVICE),
        store,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        0,
        pauses::add,
        clock);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("enter the code ABCD-EFGH")
        .contains(idp.uri("/device").toString());
    // interval 1 s; slow_down adds 5 s for every later poll (RFC 8628 §3.5)
    assertThat(pauses)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(6),
            Duration.ofSeconds(6),
            Duration.ofSeconds(6));
    String rt = store.read("work").orElseThrow().refreshToken();
    // the stored token is one the server will honour
    OAuthTokens tokens = new OAuthTokens("work", endpoint(OAuthProvider.Flow.DEVICE), store, clock);
    assertThat(idp.isValidAccessToken(tokens.accessToken())).isTrue();
    assertThat(rt).startsWith("RT");
  }

  @Test
  void aDeclinedDeviceGrantIsAClearErrorAndStoresNothing() {
    idp.pendingPolls = 0;
    idp.forcedStatus = 400;
    idp.forcedBody = "{\"error\":\"authorization_declined\"}";
    assertThatThrownBy(
            () ->
                new DeviceAuthorization(endpoint(OAuthProvider.Flow.DEVICE), pauses::add, clock)
                    .authorize(c -> {}))
        .hasMessage("the authorization was declined (authorization_declined)");
    assertThat(pauses).hasSize(1);
  }

  @Test
  void aDeviceGrantGivesUpWhenTheCodeExpires() {
    idp.pendingPolls = Integer.MAX_VALUE;
    DeviceAuthorization.Pause passTime =
        d -> {
          pauses.add(d);
          clock.advance(Duration.ofSeconds(100));
        };
    assertThatThrownBy(
            () ->
                new DeviceAuthorization(endpoint(OAuthProvider.Flow.DEVICE), passTime, clock)
                    .authorize(c -> {}))
        .hasMessage("the code expired before it was approved; run the login again");
    assertThat(pauses).hasSize(9); // 900 s of life, 100 s a poll
  }

  @Test
  void theLoopbackFlowSendsS256AndStateAndTakesOnlyTheMatchingRedirect() throws Exception {
    TokenEndpoint endpoint = endpoint(OAuthProvider.Flow.LOOPBACK);
    CompletableFuture<URI> shown = new CompletableFuture<>();
    CompletableFuture<TokenResponse> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new LoopbackAuthorization(endpoint, 0)
                    .authorize(shown::complete, Duration.ofSeconds(30));
              } catch (OAuthException e) {
                throw new RuntimeException(e);
              }
            });
    URI url = shown.get(10, TimeUnit.SECONDS);
    Map<String, String> q = query(url.getRawQuery());
    assertThat(url.toString()).startsWith(idp.uri("/authorize") + "?");
    assertThat(q)
        .containsEntry("response_type", "code")
        .containsEntry("client_id", idp.clientId)
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("scope", "mail offline")
        .containsEntry("access_type", "offline");
    URI redirect = URI.create(q.get("redirect_uri"));
    assertThat(redirect.getHost()).isEqualTo("127.0.0.1");
    assertThat(redirect.getPort()).isPositive();
    // The browser, after consent: the server binds a code to the challenge it was shown.
    idp.issueCode("CODE1", q.get("code_challenge"));
    HttpClient browser = HttpClient.newHttpClient();
    HttpResponse<String> forged =
        browser.send(
            HttpRequest.newBuilder(redirect.resolve("/?code=CODE1&state=forged")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(forged.statusCode()).isEqualTo(400);
    assertThat(result).isNotDone();
    HttpResponse<String> real =
        browser.send(
            HttpRequest.newBuilder(redirect.resolve("/?code=CODE1&state=" + q.get("state")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(real.statusCode()).isEqualTo(200);
    TokenResponse tokens = result.get(10, TimeUnit.SECONDS);
    assertThat(idp.isValidAccessToken(tokens.accessToken())).isTrue();
    assertThat(tokens.refreshToken()).isNotNull();
  }

  @Test
  void anErrorRedirectIsReportedEscaped() throws Exception {
    TokenEndpoint endpoint = endpoint(OAuthProvider.Flow.LOOPBACK);
    CompletableFuture<URI> shown = new CompletableFuture<>();
    CompletableFuture<Throwable> failure =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                new LoopbackAuthorization(endpoint, 0)
                    .authorize(shown::complete, Duration.ofSeconds(30));
                return null;
              } catch (OAuthException e) {
                return e;
              }
            });
    Map<String, String> q = query(shown.get(10, TimeUnit.SECONDS).getRawQuery());
    URI redirect = URI.create(q.get("redirect_uri"));
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    redirect.resolve("/?error=access_denied%1B%5B2J&state=" + q.get("state")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(failure.get(10, TimeUnit.SECONDS))
        .hasMessageStartingWith("the authorization server refused: access_denied")
        .hasMessageNotContaining("\u001b");
  }

  @Test
  void presetsKnowTheirEndpointsAndScopes() {
    OAuthProvider ms = OAuthProvider.microsoft("contoso.onmicrosoft.com");
    assertThat(ms.flow()).isEqualTo(OAuthProvider.Flow.DEVICE);
    assertThat(ms.deviceUri())
        .hasToString(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode");
    assertThat(ms.scope())
        .isEqualTo("https://outlook.office.com/POP.AccessAsUser.All offline_access");
    assertThatThrownBy(() -> OAuthProvider.microsoft("../evil?x"))
        .isInstanceOf(IllegalArgumentException.class);
    OAuthProvider g = OAuthProvider.google();
    assertThat(g.flow()).isEqualTo(OAuthProvider.Flow.LOOPBACK);
    assertThat(g.scope()).isEqualTo("https://mail.google.com/");
    assertThat(g.tokenUri()).hasToString("https://oauth2.googleapis.com/token");
  }

  @Test
  void theLoopbackLoginNamesItsActualPortInTheSshHint() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    int fixed = port;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream printed = new PrintStream(out, true, StandardCharsets.UTF_8);
    CompletableFuture<Void> login =
        CompletableFuture.runAsync(
            () -> {
              try {
                OAuthLogin.login(
                    "home",
                    endpoint(OAuthProvider.Flow.LOOPBACK),
                    store,
                    printed,
                    fixed,
                    pauses::add,
                    clock);
              } catch (OAuthException e) {
                throw new RuntimeException(e);
              }
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> out.toString(StandardCharsets.UTF_8).contains("Waiting for the redirect"));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("ssh -L " + fixed + ":127.0.0.1:" + fixed + " this-host")
        .doesNotContain("PORT");
    URI url =
        URI.create(
            text.lines().map(String::strip).filter(l -> l.startsWith("http")).findFirst().get());
    Map<String, String> q = query(url.getRawQuery());
    assertThat(URI.create(q.get("redirect_uri")).getPort()).isEqualTo(fixed);
    idp.issueCode("CODE2", q.get("code_challenge"));
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + fixed + "/?code=CODE2&state=" + q.get("state")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    login.get(10, TimeUnit.SECONDS);
    assertThat(store.read("home")).isPresent();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    for (String p : raw.split("&")) {
      int eq = p.indexOf('=');
      out.put(
          java.net.URLDecoder.decode(p.substring(0, eq), StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
