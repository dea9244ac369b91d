package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.Secret;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.Credentials;

/** An account's secret read afresh at each call, and its failures named as the admin wrote it. */
class SecretCredentialsTest {
  @TempDir Path dir;

  private AccountConfig account(String secretLine) throws Exception {
    return ConfigLoader.parse(
            dir.resolve("popfetch.yaml"),
            """
            accounts:
              - name: work
                server: pop.example.org
                user: alice@example.org
                %s
                deliver: { maildir: %s }
            """
                .formatted(secretLine, dir.resolve("Maildir")),
            false)
        .accounts()
        .get(0);
  }

  @Test
  void anOauthTokenFromACommandIsReadAtEachCall() throws Exception {
    Path counter = dir.resolve("n");
    SecretCredentials source =
        new SecretCredentials(
            account(
                "oauth-token: { command: [/bin/sh, -c, \"echo x >> %s; wc -l < %s\"] }"
                    .formatted(counter, counter)));
    assertThat(source.user()).isEqualTo("alice@example.org");
    assertThat(Files.exists(counter)).as("nothing read when built").isFalse();
    assertThat(source.credentials())
        .isEqualTo(new Credentials.OAuthToken("alice@example.org", "1"));
    assertThat(source.credentials())
        .isEqualTo(new Credentials.OAuthToken("alice@example.org", "2"));
  }

  @Test
  void aFailureAtLoginNamesTheKeyAndAtACheckTheAccountToo() throws Exception {
    Path missing = dir.resolve("missing.pass");
    SecretCredentials source =
        new SecretCredentials(account("password: { file: " + missing + " }"));
    assertThatThrownBy(source::credentials)
        .isInstanceOf(CredentialException.class)
        .hasMessage("password: " + missing + ": no such file")
        .satisfies(e -> assertThat(((CredentialException) e).refused()).isFalse());
    assertThatThrownBy(source::resolve)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("account work: password: " + missing + ": no such file");
  }

  @Test
  void anSmtpPasswordNamesTheRelay() {
    SecretCredentials source =
        new SecretCredentials(
            "relay.example.org", "alice", new Secret.FromEnv("POPFETCH_TEST_UNSET_VAR"));
    assertThatThrownBy(source::credentials)
        .hasMessage(
            "smtp relay.example.org: password: environment variable POPFETCH_TEST_UNSET_VAR is not"
                + " set");
    assertThat(source.toString()).contains("smtp relay.example.org");
  }
}
