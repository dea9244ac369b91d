package org.popfetch.pop3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.pop3.Pop3TestSupport.expectQuit;
import static org.popfetch.pop3.Pop3TestSupport.greet;
import static org.popfetch.pop3.Pop3TestSupport.plain;

import java.io.IOException;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.sasl.Credentials;
import org.popfetch.testing.RecordingTrace;
import org.popfetch.testing.ScriptedServer;
import org.popfetch.testing.ScriptedServer.Conversation;

class Pop3ClientAuthTest {
  private static final Credentials ALICE = new Credentials.Password("alice", "secret");
  private static final String TOKEN = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
  }

  private static void afterLogin(Conversation c) throws IOException {
    c.expect("CAPA");
    c.send("+OK", "USER", ".");
    expectQuit(c);
  }

  @Test
  void autoPicksCramMd5OverPlainAndLogin() throws Exception {
    // RFC 2195's own example exchange.
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER", "SASL LOGIN PLAIN CRAM-MD5");
              c.expect("AUTH CRAM-MD5");
              c.send("+ " + b64("<1896.697170952@postoffice.reston.mci.net>"));
              c.expect("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
              c.send("+OK");
              afterLogin(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(new Credentials.Password("tim", "tanstaaftanstaaf"), AuthMethod.AUTO);
      client.quit();
      assertThat(trace.sent()).contains("AUTH CRAM-MD5", "****");
      assertThat(trace.all()).doesNotContain("dGltIGI5MTNh");
    }
  }

  @Test
  void loginAnswersItsTwoPrompts() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL LOGIN");
              c.expect("AUTH LOGIN");
              c.send("+ VXNlcm5hbWU6");
              c.expect(b64("alice"));
              c.send("+ UGFzc3dvcmQ6");
              c.expect(b64("secret"));
              c.send("+OK");
              afterLogin(c);
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      client.login(ALICE, AuthMethod.AUTO);
      client.quit();
    }
  }

  @Test
  void plainSentAsAnInitialResponseAndMaskedInTheTrace() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL PLAIN");
              c.expect("AUTH PLAIN " + b64("\0alice\0secret"));
              c.send("+OK");
              afterLogin(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(ALICE, AuthMethod.PLAIN);
      client.quit();
      assertThat(trace.sent()).contains("AUTH PLAIN ****");
      assertThat(trace.all()).doesNotContain(b64("\0alice\0secret")).doesNotContain("secret");
    }
  }

  @Test
  void authErrorCarriesTheAuthCondition() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL PLAIN", "RESP-CODES", "AUTH-RESP-CODE");
              c.expectPrefix("AUTH PLAIN ");
              c.send("-ERR [AUTH] Authentication failed.");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.login(ALICE, AuthMethod.AUTO))
          .isInstanceOfSatisfying(
              Pop3ErrorException.class,
              e -> {
                assertThat(e.condition()).isEqualTo(ResponseCondition.AUTH);
                assertThat(e.condition().isTransient()).isFalse();
                assertThat(e.getMessage()).contains("Authentication failed.");
              });
      client.close();
    }
  }

  /**
   * Reads exactly the bytes of {@code line} and CRLF from the client, so that nothing else (a
   * space, a bare LF, a token on the command line) passes.
   */
  private static void expectExactly(Conversation c, String line) throws IOException {
    byte[] expected = (line + "\r\n").getBytes(UTF_8);
    byte[] got = c.input().readNBytes(expected.length);
    assertThat(new String(got, UTF_8)).isEqualTo(new String(expected, UTF_8));
  }

  @Test
  void oauthBearerFailureIsAcknowledgedWithAQ() throws Exception {
    // RFC 7628 section 3.2.3: the error comes as a challenge, answered by a single %x01.
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL OAUTHBEARER XOAUTH2");
              expectExactly(
                  c,
                  "AUTH OAUTHBEARER "
                      + b64("n,a=alice@example.org,\u0001auth=Bearer " + TOKEN + "\u0001\u0001"));
              c.send("+ " + b64("{\"status\":\"invalid_token\",\"scope\":\"mail\"}"));
              expectExactly(c, "AQ==");
              c.send("-ERR [AUTH] Invalid token");
              c.expectClose();
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      assertThatThrownBy(
              () ->
                  client.login(
                      new Credentials.OAuthToken("alice@example.org", TOKEN), AuthMethod.AUTO))
          .isInstanceOfSatisfying(
              Pop3ErrorException.class,
              e -> {
                assertThat(e.condition()).isEqualTo(ResponseCondition.AUTH);
                assertThat(e.getMessage()).doesNotContain(TOKEN);
              });
      client.close();
      assertThat(trace.sent()).containsSequence("AUTH OAUTHBEARER ****", "****");
      assertThat(trace.all()).doesNotContain(TOKEN).doesNotContain("AQ==");
    }
  }

  @Test
  void aLongOauthBearerTokenGoesInTheContinuationAndItsErrorIsAcknowledgedWithAQ()
      throws Exception {
    String longToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "x".repeat(1200);
    String payload = b64("n,a=alice@example.org,\u0001auth=Bearer " + longToken + "\u0001\u0001");
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL OAUTHBEARER");
              expectExactly(c, "AUTH OAUTHBEARER");
              c.send("+ ");
              expectExactly(c, payload);
              c.send("+ " + b64("{\"status\":\"invalid_token\"}"));
              expectExactly(c, "AQ==");
              c.send("-ERR [AUTH] Invalid token");
              c.expectClose();
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      assertThatThrownBy(
              () ->
                  client.login(
                      new Credentials.OAuthToken("alice@example.org", longToken),
                      AuthMethod.OAUTHBEARER))
          .isInstanceOf(Pop3ErrorException.class)
          .hasMessageContaining("Invalid token");
      client.close();
      assertThat(trace.all()).doesNotContain(longToken).doesNotContain(payload);
    }
  }

  @Test
  void xoauth2IsSentInTwoStepsAsMicrosoftRequires() throws Exception {
    // Microsoft's POP3: "AUTH XOAUTH2", then the payload after "+ "; a token on the AUTH line is
    // refused. The token here is short enough to fit on the line, and still is not put there.
    String payload = b64("user=alice@example.org\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL XOAUTH2");
              expectExactly(c, "AUTH XOAUTH2");
              c.send("+ ");
              expectExactly(c, payload);
              c.send("+OK User successfully authenticated.");
              afterLogin(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(new Credentials.OAuthToken("alice@example.org", TOKEN), AuthMethod.AUTO);
      client.quit();
      assertThat(trace.sent()).containsSequence("AUTH XOAUTH2", "****");
      assertThat(trace.all()).doesNotContain(TOKEN).doesNotContain(payload);
    }
  }

  @Test
  void xoauth2FailureIsAnsweredWithAnEmptyLine() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL XOAUTH2");
              expectExactly(c, "AUTH XOAUTH2");
              c.send("+ ");
              expectExactly(
                  c, b64("user=alice@example.org\u0001auth=Bearer " + TOKEN + "\u0001\u0001"));
              c.send("+ " + b64("{\"status\":\"400\",\"schemes\":\"Bearer\"}"));
              expectExactly(c, "");
              c.send("-ERR Authentication failure: unknown user name or bad password.");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(
              () ->
                  client.login(
                      new Credentials.OAuthToken("alice@example.org", TOKEN), AuthMethod.XOAUTH2))
          .isInstanceOf(Pop3ErrorException.class)
          .hasMessageContaining("Authentication failure")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
      client.close();
    }
  }

  @Test
  void aTokenTooLongForTheCommandLineGoesInTheContinuation() throws Exception {
    String longToken = "t".repeat(400);
    String payload = b64("user=alice\u0001auth=Bearer " + longToken + "\u0001\u0001");
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL XOAUTH2");
              c.expect("AUTH XOAUTH2");
              c.send("+ ");
              c.expect(payload);
              c.send("+OK");
              afterLogin(c);
            })) {
      RecordingTrace trace = new RecordingTrace();
      Pop3Client client = Pop3Client.connect(plain(server.port()), trace);
      client.login(new Credentials.OAuthToken("alice", longToken), AuthMethod.AUTO);
      client.quit();
      assertThat(trace.all()).doesNotContain(longToken).doesNotContain(payload);
    }
  }

  @Test
  void aGarbageChallengeCancelsTheExchange() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "SASL CRAM-MD5");
              c.expect("AUTH CRAM-MD5");
              c.send("+ !!!not base64!!!");
              c.expect("*");
              c.send("-ERR AUTH cancelled");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.login(ALICE, AuthMethod.AUTO))
          .isInstanceOf(Pop3ProtocolException.class)
          .hasMessageContaining("malformed CRAM-MD5 challenge");
      client.close();
    }
  }

  @Test
  void aNamedMechanismTheServerDoesNotOfferIsNotDowngraded() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER", "SASL PLAIN");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(() -> client.login(ALICE, AuthMethod.CRAM_MD5))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("does not offer AUTH CRAM-MD5")
          .hasMessageContaining("USER SASL PLAIN");
      client.close();
    }
  }

  @Test
  void aTokenIsNeverReplacedByAPasswordLogin() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            c -> {
              greet(c, "USER", "SASL PLAIN LOGIN");
              c.expectClose();
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), ProtocolTrace.NONE);
      assertThatThrownBy(
              () -> client.login(new Credentials.OAuthToken("alice", TOKEN), AuthMethod.AUTO))
          .isInstanceOf(Pop3SecurityException.class)
          .hasMessageContaining("offers no OAuth mechanism");
      client.close();
    }
  }
}
