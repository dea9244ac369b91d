package org.popfetch.sasl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The OAuth mechanisms' answers, byte for byte, whatever the protocol that carries them. */
class OAuthMechanismsTest {
  private static final Credentials.OAuthToken ALICE =
      new Credentials.OAuthToken("alice@example.org", "tok");

  @Test
  void xoauth2HasNoInitialResponseAndSendsTheTokenToTheEmptyChallenge() throws Exception {
    XOAuth2Mechanism m = new XOAuth2Mechanism(ALICE);
    assertThat(m.initialResponse()).isEmpty();
    assertThat(new String(m.respond(new byte[0]), UTF_8))
        .isEqualTo("user=alice@example.org\u0001auth=Bearer tok\u0001\u0001");
    assertThat(m.respond("{\"status\":\"400\"}".getBytes(UTF_8))).isEmpty();
    assertThatThrownBy(() -> m.respond("{}".getBytes(UTF_8)))
        .isInstanceOf(SaslException.class)
        .hasMessageContaining("kept sending challenges");
  }

  @Test
  void xoauth2RefusesAChallengeBeforeTheToken() {
    XOAuth2Mechanism m = new XOAuth2Mechanism(ALICE);
    assertThatThrownBy(() -> m.respond("send it to me".getBytes(UTF_8)))
        .isInstanceOf(SaslException.class)
        .hasMessage("XOAUTH2: server sent a challenge before the token");
  }

  @Test
  void oauthBearerAnswersTheErrorChallengeWithASingleControlA() throws Exception {
    OAuthBearerMechanism m = new OAuthBearerMechanism(ALICE);
    assertThat(new String(m.initialResponse().orElseThrow(), UTF_8))
        .isEqualTo("n,a=alice@example.org,\u0001auth=Bearer tok\u0001\u0001");
    assertThat(m.respond("{\"status\":\"invalid_token\"}".getBytes(UTF_8))).containsExactly(0x01);
    assertThatThrownBy(() -> m.respond("{}".getBytes(UTF_8))).isInstanceOf(SaslException.class);
  }

  @Test
  void credentialsInHandAreTheirOwnSource() throws Exception {
    CredentialSource source = ALICE;
    assertThat(source.credentials()).isSameAs(ALICE);
    assertThat(source.user()).isEqualTo("alice@example.org");
    assertThat(ALICE.toString()).doesNotContain("tok");
  }
}
