package org.popfetch.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.testing.TestClock;

class OAuthTokensTest {
  @TempDir Path state;
  final TestClock clock = new TestClock();
  FakeAuthorizationServer idp;
  TokenStore store;
  TokenEndpoint endpoint;

  @BeforeEach
  void start() throws Exception {
    idp = new FakeAuthorizationServer(clock);
    idp.lifetime = Duration.ofSeconds(8);
    store = TokenStore.inStateDirectory(state);
    endpoint =
        new TokenEndpoint(
            idp.provider(OAuthProvider.Flow.DEVICE),
            new OAuthClient(idp.clientId, null),
            Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private OAuthTokens tokens() {
    return new OAuthTokens("work", endpoint, store, clock);
  }

  @Test
  void keepsTheAccessTokenUntilShortlyBeforeExpiryThenRefreshes() throws Exception {
    store.save("work", idp.issueRefreshToken(), clock.instant());
    OAuthTokens t = tokens();
    String first = t.accessToken();
    assertThat(idp.isValidAccessToken(first)).isTrue();
    clock.advance(Duration.ofSeconds(5)); // 3 s left of 8: more than the 2 s margin
    assertThat(t.accessToken()).isEqualTo(first);
    assertThat(idp.refreshRequests).hasValue(1);
    clock.advance(Duration.ofMillis(1500)); // 1.5 s left: inside the margin
    String second = t.accessToken();
    assertThat(second).isNotEqualTo(first);
    assertThat(idp.isValidAccessToken(second)).isTrue();
    assertThat(idp.refreshRequests).hasValue(2);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(7));
      assertThat(idp.isValidAccessToken(t.accessToken())).isTrue();
    }
  }

  @Test
  void theRotatedRefreshTokenIsOnDiskWhenTheAccessTokenIsHandedOut() throws Exception {
    String rt = idp.issueRefreshToken();
    store.save("work", rt, clock.instant());
    String access = tokens().accessToken();
    String saved = store.read("work").orElseThrow().refreshToken();
    assertThat(saved).isNotEqualTo(rt);
    // What a process starting after a crash would do: a fresh instance from the file alone.
    String afterRestart = new OAuthTokens("work", endpoint, store, clock).accessToken();
    assertThat(idp.isValidAccessToken(access)).isTrue();
    assertThat(idp.isValidAccessToken(afterRestart)).isTrue();
    assertThat(Files.getPosixFilePermissions(store.file("work")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(store.file("work").getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (var files = Files.list(store.file("work").getParent())) {
      assertThat(files).containsExactly(store.file("work"));
    }
  }

  @Test
  void anAccessTokenIsNotHandedOutWhenItsRotatedRefreshTokenCannotBeSaved() throws Exception {
    String rt = idp.issueRefreshToken();
    store.save("work", rt, clock.instant());
    TokenStore failing =
        new TokenStore(store.file("work").getParent()) {
          @Override
          public void save(String account, String refreshToken, java.time.Instant now)
              throws OAuthException {
            throw new OAuthException("cannot save the refresh token in test: disk full");
          }
        };
    int issuedBefore = idp.refreshRequests.get();
    assertThatThrownBy(() -> new OAuthTokens("work", endpoint, failing, clock).accessToken())
        .isInstanceOf(OAuthException.class)
        .hasMessageContaining("cannot save the refresh token");
    assertThat(idp.refreshRequests).hasValue(issuedBefore + 1);
    assertThat(store.read("work").orElseThrow().refreshToken()).isEqualTo(rt);
  }

  @Test
  void invalidGrantIsOneClearErrorAndIsNotRetried() throws Exception {
    String rt = idp.issueRefreshToken();
    store.save("work", rt, clock.instant());
    tokens().accessToken(); // spends rt
    store.save("work", rt, clock.instant()); // as if the rotated one had been lost
    OAuthTokens t = tokens();
    assertThatThrownBy(t::accessToken)
        .isInstanceOf(ReauthorizationNeededException.class)
        .hasMessage(
            "the authorization server refused the refresh token (invalid_grant: Token has been"
                + " expired or revoked.); run popfetch oauth login work");
    int asked = idp.refreshRequests.get();
    clock.advance(Duration.ofHours(1));
    assertThatThrownBy(t::accessToken)
        .isInstanceOf(ReauthorizationNeededException.class)
        .hasMessageContaining("run popfetch oauth login work");
    assertThat(idp.refreshRequests).hasValue(asked);
    assertThat(t.state().failures()).isEqualTo(1);
    // Nor does another process: the store notes the refusal (a hash, never the token).
    assertThatThrownBy(() -> tokens().accessToken())
        .isInstanceOf(ReauthorizationNeededException.class)
        .hasMessage(
            "the stored refresh token was refused before (invalid_grant); run popfetch oauth"
                + " login work");
    assertThat(idp.refreshRequests).hasValue(asked);
    assertThat(store.refusedAt("work", rt)).isPresent();
    try (var files = Files.list(state.resolve("oauth"))) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().endsWith(".refused")) {
          assertThat(Files.readString(f)).doesNotContain(rt);
          assertThat(Files.getPosixFilePermissions(f))
              .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
      }
    }
    // A new login stores another token: the account works again.
    store.save("work", idp.issueRefreshToken(), clock.instant());
    assertThat(idp.isValidAccessToken(t.accessToken())).isTrue();
  }

  @Test
  void noStoredTokenSaysToLogIn() {
    assertThatThrownBy(() -> tokens().accessToken())
        .isInstanceOf(ReauthorizationNeededException.class)
        .hasMessage("no OAuth authorization yet; run popfetch oauth login work");
  }

  @Test
  void aHostileAnswerIsAClearErrorWithoutItsBytes() throws Exception {
    store.save("work", idp.issueRefreshToken(), clock.instant());
    idp.forcedStatus = 500;
    idp.forcedBody = "<html>\u001b[31m" + "x".repeat(100_000);
    assertThatThrownBy(() -> tokens().accessToken())
        .isInstanceOf(OAuthException.class)
        .hasMessage("127.0.0.1 answered HTTP 500 with an oversized body");
    idp.forcedStatus = 200;
    idp.forcedBody = "{\"access_token\":\"a\\r\\nQUIT\",\"expires_in\":60}";
    assertThatThrownBy(() -> tokens().accessToken())
        .hasMessage("the answer's access_token holds a character not allowed in it");
    idp.forcedStatus = 400;
    idp.forcedBody = "{\"error\":\"server_error\\u001b[2J\",\"error_description\":\"down\"}";
    assertThatThrownBy(() -> tokens().accessToken())
        .hasMessageStartingWith("refreshing the access token failed: server_error")
        .hasMessageNotContaining("\u001b");
  }

  @Test
  void aTokenFileOthersCanReadIsRefused() throws Exception {
    store.save("work", "RT-x", clock.instant());
    Files.setPosixFilePermissions(store.file("work"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> store.read("work")).hasMessageContaining("readable by others");
  }

  @Test
  void aWriteCutShortByACrashLeavesTheOldTokenUsable() throws Exception {
    String rt = idp.issueRefreshToken();
    store.save("work", rt, clock.instant());
    // A process killed mid-write leaves only its temporary file, half written.
    Path dir = store.file("work").getParent();
    Files.writeString(dir.resolve(".work.token.0000.tmp"), "popfetch-oauth 1\nrefresh-tok");
    OAuthTokens afterRestart = tokens();
    assertThat(idp.isValidAccessToken(afterRestart.accessToken())).isTrue();
    assertThat(store.read("work").orElseThrow().refreshToken()).isNotEqualTo(rt);
  }

  @Test
  void accountNamesCannotEscapeTheStoreDirectory() {
    Path dir = store.file("x").getParent();
    assertThat(store.file("../../etc/passwd").getParent()).isEqualTo(dir);
    assertThat(store.file(".hidden").getFileName().toString()).isEqualTo("%2Ehidden.token");
  }
}
