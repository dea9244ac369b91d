package org.popfetch.oauth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authorization server written for the tests, behaving as Microsoft's and Google's are
 * documented to: a device endpoint answered by {@code authorization_pending} (and {@code
 * slow_down}) until approved; a token endpoint that rotates refresh tokens on every use and answers
 * {@code invalid_grant} to a spent one (strict rotation); access tokens lasting {@link #lifetime};
 * an authorization-code exchange checked against the PKCE verifier; an introspection endpoint (RFC
 * 7662) at {@code /introspect} that a mail server asks whether a bearer token is active.
 */
final class FakeAuthorizationServer implements AutoCloseable {
  final String clientId = "client-1";
  volatile Duration lifetime = Duration.ofSeconds(3600);

  /** How many device polls are answered authorization_pending before approval. */
  volatile int pendingPolls = 2;

  /** How many of the pending answers are slow_down instead. */
  volatile int slowDowns = 0;

  /** A body to answer every token request with, for hostile-server tests. */
  volatile String forcedBody;

  volatile int forcedStatus = 200;

  /**
   * A point where refresh requests wait until the test releases them, so that a client can be
   * killed while its refresh is in flight. {@link #reached} opens when a request waits there.
   */
  static final class Hold {
    final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean dropped;

    /** Lets the held requests go on. */
    void release() {
      released.countDown();
    }

    /** Ends the held requests without an answer, as if they had never arrived. */
    void drop() {
      dropped = true;
      released.countDown();
    }

    /** Waits here; false if the request is to be dropped. */
    private boolean pass() {
      reached.countDown();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      return !dropped;
    }
  }

  /** Where refreshes wait before the refresh token is looked at: nothing is spent yet. */
  volatile Hold beforeRotation;

  /**
   * Where refreshes wait after rotating (the old token spent, the new one issued) before the reply.
   */
  volatile Hold afterRotation;

  /** The refresh token issued last. */
  volatile String lastRefreshToken;

  /** Whose mailbox the issued access tokens open, as introspection names it. */
  volatile String username = "alice";

  final AtomicInteger refreshRequests = new AtomicInteger();
  final AtomicInteger introspections = new AtomicInteger();
  final AtomicInteger tokenRequests = new AtomicInteger();
  final Clock clock;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger serial = new AtomicInteger();
  private final Set<String> liveRefresh = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> liveAccess = new ConcurrentHashMap<>();
  private final Map<String, String> codes = new ConcurrentHashMap<>();
  private final Set<String> seenDevice = new HashSet<>();
  private int polls;

  FakeAuthorizationServer(Clock clock) throws IOException {
    this.clock = clock;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::token);
    server.createContext("/devicecode", this::device);
    server.createContext("/introspect", this::introspect);
    // Requests are served on threads of their own, so that a held refresh does not stop others.
    server.setExecutor(threads);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  OAuthProvider provider(OAuthProvider.Flow flow) {
    return new OAuthProvider(
        "generic", uri("/authorize"), uri("/token"), uri("/devicecode"), "mail offline", flow);
  }

  /** A refresh token the server will accept, as if a login had happened. */
  String issueRefreshToken() {
    String rt = "RT" + serial.incrementAndGet();
    liveRefresh.add(rt);
    lastRefreshToken = rt;
    return rt;
  }

  /** Registers an authorization code bound to the S256 challenge of a verifier. */
  void issueCode(String code, String challenge) {
    codes.put(code, challenge);
  }

  /** Whether an access token was issued here and has not expired yet. */
  boolean isValidAccessToken(String token) {
    Instant until = liveAccess.get(token);
    return until != null && clock.instant().isBefore(until);
  }

  /**
   * RFC 7662: {@code token=...} in a form; active only for an access token issued here that has not
   * expired, and then with the user and the expiry. Anything else is {@code "active": false}.
   */
  private void introspect(HttpExchange x) throws IOException {
    introspections.incrementAndGet();
    String token = String.valueOf(form(x).get("token"));
    Instant until = liveAccess.get(token);
    if (until == null || !clock.instant().isBefore(until)) {
      answer(x, 200, "{\"active\":false}");
      return;
    }
    answer(
        x,
        200,
        "{\"active\":true,\"token_type\":\"Bearer\",\"client_id\":\""
            + clientId
            + "\",\"username\":\""
            + username
            + "\",\"scope\":\"mail offline\",\"exp\":"
            + until.getEpochSecond()
            + "}");
  }

  private synchronized void device(HttpExchange x) throws IOException {
    Map<String, String> form = form(x);
    if (!clientId.equals(form.get("client_id"))) {
      answer(x, 400, "{\"error\":\"invalid_client\"}");
      return;
    }
    seenDevice.add("DC1");
    answer(
        x,
        200,
        "{\"device_code\":\"DC1\",\"user_code\":\"ABCD-EFGH\",\"verification_uri\":\""
            + uri("/device")
            + "\",\"expires_in\":900,\"interval\":1,\"message\":\"enter the code\"}");
  }

  private record Reply(int status, String body) {}

  private void token(HttpExchange x) throws IOException {
    Map<String, String> form = form(x);
    boolean refresh = "refresh_token".equals(form.get("grant_type"));
    Hold before = beforeRotation;
    if (refresh && before != null && !before.pass()) {
      x.close();
      return;
    }
    Reply reply = reply(form);
    Hold after = afterRotation;
    if (refresh && reply.status() == 200 && after != null && !after.pass()) {
      x.close();
      return;
    }
    answer(x, reply.status(), reply.body());
  }

  private synchronized Reply reply(Map<String, String> form) {
    tokenRequests.incrementAndGet();
    if (forcedBody != null) {
      return new Reply(forcedStatus, forcedBody);
    }
    if (!clientId.equals(form.get("client_id"))) {
      return new Reply(401, "{\"error\":\"invalid_client\"}");
    }
    String grant = String.valueOf(form.get("grant_type"));
    switch (grant) {
      case "refresh_token" -> {
        refreshRequests.incrementAndGet();
        if (!liveRefresh.remove(String.valueOf(form.get("refresh_token")))) {
          return new Reply(
              400,
              "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or"
                  + " revoked.\"}");
        }
        return new Reply(200, tokens());
      }
      case TokenEndpoint.DEVICE_GRANT -> {
        if (!seenDevice.contains(form.get("device_code"))) {
          return new Reply(400, "{\"error\":\"invalid_grant\"}");
        }
        polls++;
        if (polls <= slowDowns) {
          return new Reply(400, "{\"error\":\"slow_down\"}");
        } else if (polls <= pendingPolls + slowDowns) {
          return new Reply(400, "{\"error\":\"authorization_pending\"}");
        }
        seenDevice.remove(form.get("device_code"));
        return new Reply(200, tokens());
      }
      case "authorization_code" -> {
        String challenge = codes.remove(String.valueOf(form.get("code")));
        String verifier = String.valueOf(form.get("code_verifier"));
        if (challenge == null || !challenge.equals(Pkce.challenge(verifier))) {
          return new Reply(400, "{\"error\":\"invalid_grant\"}");
        }
        return new Reply(200, tokens());
      }
      default -> {
        return new Reply(400, "{\"error\":\"unsupported_grant_type\"}");
      }
    }
  }

  private String tokens() {
    int n = serial.incrementAndGet();
    String rt = "RT" + n;
    String at = "AT" + n;
    liveRefresh.add(rt);
    lastRefreshToken = rt;
    liveAccess.put(at, clock.instant().plus(lifetime));
    return "{\"token_type\":\"Bearer\",\"access_token\":\""
        + at
        + "\",\"refresh_token\":\""
        + rt
        + "\",\"expires_in\":"
        + lifetime.toSeconds()
        + "}";
  }

  private static Map<String, String> form(HttpExchange x) throws IOException {
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }

  @Override
  public void close() {
    Hold b = beforeRotation;
    Hold a = afterRotation;
    if (b != null) {
      b.drop();
    }
    if (a != null) {
      a.drop();
    }
    server.stop(0);
    threads.shutdownNow();
  }
}
