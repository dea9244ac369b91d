package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.popfetch.pop3.AuthMethod;

/** The account key {@code oauth:}: presets, the generic form, defaults, and every refusal. */
class OAuthConfigTest {
  /** An account whose oauth block starts at line 6, its keys at line 7 on. */
  static String account(String oauthKeys) {
    return """
    accounts:
      - name: work
        server: outlook.office365.com
        user: alice@example.com
        deliver: { maildir: /home/alice/Maildir }
        oauth:
    """
        + oauthKeys.indent(6);
  }

  static OAuthConfig oauthOf(String yaml) throws ConfigException {
    return parse(yaml).account("work").orElseThrow().oauth().orElseThrow();
  }

  @Nested
  class Reads {
    @Test
    void microsoftWithTenantAndAFileClientSecret() throws Exception {
      AccountConfig a =
          parse(
                  account(
                      """
                      provider: microsoft
                      client-id: 00000000-1111-2222-3333-444444444444
                      tenant: organizations
                      client-secret: { file: /etc/popfetch/work.client-secret }
                      """))
              .account("work")
              .orElseThrow();

      assertThat(a.auth()).isEqualTo(AuthMethod.XOAUTH2);
      assertThat(a.password()).isEmpty();
      assertThat(a.oauthToken()).isEmpty();
      assertThat(a.port()).isEqualTo(995);
      assertThat(a.oauth())
          .contains(
              new OAuthConfig(
                  OAuthConfig.Provider.MICROSOFT,
                  "00000000-1111-2222-3333-444444444444",
                  Optional.of("organizations"),
                  Optional.of(new Secret.FromFile(Path.of("/etc/popfetch/work.client-secret"))),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()));
    }

    @Test
    void microsoftTenantIsCommonUnlessSaid() throws Exception {
      OAuthConfig o = oauthOf(account("provider: microsoft\nclient-id: abc\n"));

      assertThat(o.tenant()).contains("common");
      assertThat(o.clientSecret()).isEmpty();
    }

    @Test
    void googleHasNoTenant() throws Exception {
      OAuthConfig o =
          oauthOf(
              account(
                  "provider: google\nclient-id: 1234-abc.apps.googleusercontent.com\n"
                      + "client-secret: { env: GMAIL_CLIENT_SECRET }\n"));

      assertThat(o.provider()).isEqualTo(OAuthConfig.Provider.GOOGLE);
      assertThat(o.tenant()).isEmpty();
      assertThat(o.clientSecret()).contains(new Secret.FromEnv("GMAIL_CLIENT_SECRET"));
    }

    @Test
    void genericWithEveryEndpoint() throws Exception {
      OAuthConfig o =
          oauthOf(
              account(
                  """
                  provider: generic
                  client-id: popfetch
                  token-endpoint: https://auth.example.net/token
                  device-endpoint: https://auth.example.net/device
                  authorization-endpoint: https://auth.example.net/authorize
                  scope: "pop3 offline_access"
                  flow: loopback
                  """));

      assertThat(o.tokenEndpoint()).contains(URI.create("https://auth.example.net/token"));
      assertThat(o.deviceEndpoint()).contains(URI.create("https://auth.example.net/device"));
      assertThat(o.authorizationEndpoint())
          .contains(URI.create("https://auth.example.net/authorize"));
      assertThat(o.scope()).contains("pop3 offline_access");
      assertThat(o.flow()).contains(OAuthConfig.Flow.LOOPBACK);
    }

    @Test
    void genericFlowFollowsTheEndpointGiven() throws Exception {
      String base =
          "provider: generic\nclient-id: x\ntoken-endpoint: https://a.example/t\nscope: s\n";

      assertThat(oauthOf(account(base + "device-endpoint: https://a.example/d\n")).flow())
          .contains(OAuthConfig.Flow.DEVICE);
      assertThat(oauthOf(account(base + "authorization-endpoint: https://a.example/a\n")).flow())
          .contains(OAuthConfig.Flow.LOOPBACK);
    }

    @Test
    void plainHttpOnTheLoopbackHost() throws Exception {
      for (String host : new String[] {"127.0.0.1:8080", "[::1]:8080", "localhost", "LOCALHOST"}) {
        OAuthConfig o =
            oauthOf(
                account(
                    "provider: generic\nclient-id: x\nscope: s\n"
                        + "token-endpoint: http://"
                        + host
                        + "/token\ndevice-endpoint: http://"
                        + host
                        + "/device\n"));
        assertThat(o.tokenEndpoint()).contains(URI.create("http://" + host + "/token"));
      }
    }

    @Test
    void oauthbearerIfSaid() throws Exception {
      AccountConfig a =
          parse(
                  account("provider: google\nclient-id: x\n")
                      .replace("    oauth:\n", "    auth: oauthbearer\n    oauth:\n"))
              .account("work")
              .orElseThrow();

      assertThat(a.auth()).isEqualTo(AuthMethod.OAUTHBEARER);
    }

    @Test
    void fromTheDefaultsUnlessTheAccountLogsInOtherwise() throws Exception {
      PopfetchConfig config =
          parse(
              """
              defaults:
                server: outlook.office365.com
                deliver: { maildir: /var/mail/shared }
                oauth: { provider: microsoft, client-id: abc, tenant: example.com }
              accounts:
                - name: alice
                  user: alice@example.com
                - name: bob
                  user: bob@example.com
                  password: { env: BOB_PASS }
              """);

      AccountConfig alice = config.account("alice").orElseThrow();
      assertThat(alice.oauth().orElseThrow().tenant()).contains("example.com");
      assertThat(alice.auth()).isEqualTo(AuthMethod.XOAUTH2);
      AccountConfig bob = config.account("bob").orElseThrow();
      assertThat(bob.oauth()).isEmpty();
      assertThat(bob.password()).contains(new Secret.FromEnv("BOB_PASS"));
      assertThat(bob.auth()).isEqualTo(AuthMethod.AUTO);
    }

    @Test
    void anAccountsOwnOauthReplacesADefaultPassword() throws Exception {
      PopfetchConfig config =
          parse(
              """
              defaults:
                password: { env: SHARED }
              accounts:
                - name: work
                  server: outlook.office365.com
                  user: alice@example.com
                  deliver: { maildir: /home/alice/Maildir }
                  oauth: { provider: microsoft, client-id: abc }
              """);

      AccountConfig a = config.account("work").orElseThrow();
      assertThat(a.password()).isEmpty();
      assertThat(a.oauth()).isPresent();
    }
  }

  @Nested
  class Refuses {
    @Test
    void withAPassword() {
      assertError(
          account("provider: microsoft\nclient-id: abc\n") + "    password: { env: P }\n",
          "9: accounts[0].password: set either password or oauth, not both");
    }

    @Test
    void withAnOauthToken() {
      assertError(
          account("provider: microsoft\nclient-id: abc\n")
              .replace("    oauth:\n", "    oauth-token: { env: T }\n    oauth:\n"),
          "7: accounts[0].oauth: set either oauth-token or oauth, not both");
    }

    @Test
    void aPasswordMethod() {
      assertError(
          account("provider: microsoft\nclient-id: abc\n")
              .replace("    oauth:\n", "    auth: plain\n    oauth:\n"),
          "6: accounts[0].auth: oauth logs in with xoauth2 or oauthbearer, but account \"work\""
              + " has auth: plain");
      assertError(
          account("provider: microsoft\nclient-id: abc\n")
              .replace("    oauth:\n", "    auth: auto\n    oauth:\n"),
          "6: accounts[0].auth: oauth logs in with xoauth2 or oauthbearer, but account \"work\""
              + " has auth: auto");
    }

    @Test
    void anUnknownKey() {
      assertError(
          account("provider: microsoft\nclient-id: abc\nclient_secret: { env: S }\n"),
          "9: accounts[0].oauth.client_secret: unknown key (did you mean 'client-secret'?); valid"
              + " keys here: provider, client-id, tenant, client-secret, token-endpoint,"
              + " device-endpoint, authorization-endpoint, scope, flow");
    }

    @Test
    void somethingOtherThanAMapping() {
      assertError(
          account("").replace("    oauth:\n", "    oauth: microsoft\n"),
          "6: accounts[0].oauth: expected a mapping (key: value), got \"microsoft\"");
    }

    @Test
    void aMissingProviderOrClientId() {
      assertError(
          account("client-id: abc\n"), "7: accounts[0].oauth: missing required key 'provider'");
      assertError(
          account("provider: google\n"), "7: accounts[0].oauth: missing required key 'client-id'");
    }

    @Test
    void anUnknownProvider() {
      assertError(
          account("provider: yahoo\nclient-id: abc\n"),
          "7: accounts[0].oauth.provider: expected microsoft, google or generic, got \"yahoo\"");
    }

    @Test
    void aClientIdWithSpaces() {
      assertError(
          account("provider: google\nclient-id: \"a b\"\n"),
          "8: accounts[0].oauth.client-id: expected the client id of the application registration"
              + " (printable, no spaces), got \"a b\"");
    }

    @Test
    void aTenantOutsideMicrosoft() {
      assertError(
          account("provider: google\nclient-id: abc\ntenant: common\n"),
          "9: accounts[0].oauth.tenant: only provider microsoft has a tenant");
    }

    @Test
    void aTenantThatIsNotAName() {
      assertError(
          account("provider: microsoft\nclient-id: abc\ntenant: \"../evil\"\n"),
          "9: accounts[0].oauth.tenant: expected common, organizations, consumers, a domain name"
              + " or a tenant id, got \"../evil\"");
    }

    @Test
    void endpointsOrScopeForAPreset() {
      assertError(
          account("provider: microsoft\nclient-id: abc\ntoken-endpoint: https://evil.example/t\n"),
          "9: accounts[0].oauth.token-endpoint: provider microsoft knows its own endpoints, scope"
              + " and flow; token-endpoint is for provider generic");
      assertError(
          account("provider: google\nclient-id: abc\nscope: x\n"),
          "9: accounts[0].oauth.scope: provider google knows its own endpoints, scope and flow;"
              + " scope is for provider generic");
    }

    @Test
    void plainHttpElsewhere() {
      assertError(
          account(
              "provider: generic\nclient-id: x\nscope: s\n"
                  + "token-endpoint: http://auth.example.net/token\n"
                  + "device-endpoint: https://auth.example.net/device\n"),
          "10: accounts[0].oauth.token-endpoint: must be https (the token and the client secret"
              + " would cross the network in the clear), got \"http://auth.example.net/token\"");
      assertError(
          account(
              "provider: generic\nclient-id: x\nscope: s\n"
                  + "token-endpoint: https://auth.example.net/token\n"
                  + "device-endpoint: http://127.0.0.2/device\n"),
          "11: accounts[0].oauth.device-endpoint: must be https (the token and the client secret"
              + " would cross the network in the clear), got \"http://127.0.0.2/device\"");
    }

    @Test
    void endpointsThatAreNotUrls() {
      for (String bad :
          new String[] {
            "ftp://auth.example.net/t",
            "auth.example.net/token",
            "https://user:pw@auth.example.net/t",
            "https://auth.example.net/t#x",
            "\"https://a b/t\""
          }) {
        String shown = bad.replace("\"", "");
        assertError(
            account(
                "provider: generic\nclient-id: x\nscope: s\n"
                    + "device-endpoint: https://auth.example.net/device\n"
                    + "token-endpoint: "
                    + bad
                    + "\n"),
            "11: accounts[0].oauth.token-endpoint: expected an https URL, got \"" + shown + "\"");
      }
    }

    @Test
    void aGenericWithoutWhatItNeeds() {
      assertError(
          account(
              "provider: generic\nclient-id: x\nscope: s\ndevice-endpoint: https://a.example/d\n"),
          "7: accounts[0].oauth: missing required key 'token-endpoint'");
      assertError(
          account(
              "provider: generic\nclient-id: x\ntoken-endpoint: https://a.example/t\n"
                  + "device-endpoint: https://a.example/d\n"),
          "7: accounts[0].oauth: missing required key 'scope'");
      assertError(
          account(
              "provider: generic\nclient-id: x\ntoken-endpoint: https://a.example/t\nscope: s\n"),
          "7: accounts[0].oauth: provider generic needs device-endpoint (flow device) or"
              + " authorization-endpoint (flow loopback)");
      assertError(
          account(
              "provider: generic\nclient-id: x\ntoken-endpoint: https://a.example/t\nscope: s\n"
                  + "authorization-endpoint: https://a.example/a\nflow: device\n"),
          "12: accounts[0].oauth.flow: flow device needs device-endpoint, which is missing");
      assertError(
          account(
              "provider: generic\nclient-id: x\ntoken-endpoint: https://a.example/t\nscope: s\n"
                  + "device-endpoint: https://a.example/d\nflow: browser\n"),
          "12: accounts[0].oauth.flow: expected device or loopback, got \"browser\"");
    }

    @Test
    void aScopeWithAQuote() {
      assertError(
          account(
              "provider: generic\nclient-id: x\ntoken-endpoint: https://a.example/t\n"
                  + "device-endpoint: https://a.example/d\nscope: 'pop3 \"x'\n"),
          "11: accounts[0].oauth.scope: expected space-separated scopes such as \"pop3"
              + " offline_access\", got \"pop3 \\\"x\"");
    }

    @Test
    void aClientSecretReadLikeAPassword() {
      // A client secret is a secret like a password: the same forms and the same checks.
      assertError(
          account("provider: google\nclient-id: x\nclient-secret: { env: \"1BAD\" }\n"),
          "9: accounts[0].oauth.client-secret.env: expected an environment variable name, got"
              + " \"1BAD\"");
    }
  }
}
