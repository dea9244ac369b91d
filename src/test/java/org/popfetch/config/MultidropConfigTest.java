package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MultidropConfigTest {
  static final Path FILE = Path.of("/etc/popfetch/popfetch.yaml");

  static final String HEAD =
      """
      accounts:
        - name: domain
          server: pop.example.com
          user: maildrop
          password: { env: PASS }
          deliver: { maildir: /var/mail/postmaster/Maildir }
      """;

  static AccountConfig account(String multidrop) throws ConfigException {
    return ConfigLoader.parse(FILE, HEAD + multidrop, false).accounts().get(0);
  }

  static void assertError(String multidrop, String expected) {
    assertThatThrownBy(() -> account(multidrop))
        .isInstanceOf(ConfigException.class)
        .hasMessage(FILE + ":" + expected);
  }

  @Test
  void readsEveryKey() throws Exception {
    AccountConfig a =
        account(
            """
                multidrop:
                  envelope: [ { header: Delivered-To, skip: 1 }, X-Original-To ]
                  strip-prefix: "example-"
                  local-domains: [ Example.ORG, .example.net ]
                  aka: [ mx.example.org ]
                  map: { "Hurkle@example.org": happy, "*@example.org": alice, "*": alice }
                  users:
                    alice: { maildir: /home/alice/Maildir }
                    Happy: { pipe: [ /usr/bin/procmail, -d, happy ] }
                  postmaster: alice
                  dedupe: { across-accounts: true, keep: 3d }
            """);
    MultidropConfig m = a.multidrop().orElseThrow();
    assertThat(m.envelope())
        .containsExactly(
            new MultidropConfig.Envelope("Delivered-To", 1),
            new MultidropConfig.Envelope("X-Original-To", 0));
    assertThat(m.stripPrefix()).contains("example-");
    assertThat(m.localDomains()).containsExactly("example.org", "example.net");
    assertThat(m.aka()).containsExactly("mx.example.org");
    assertThat(m.map())
        .containsEntry("hurkle@example.org", "happy")
        .containsEntry("*@example.org", "alice")
        .containsEntry("*", "alice");
    assertThat(m.users().keySet()).containsExactly("alice", "happy");
    assertThat(m.users().get("happy"))
        .isEqualTo(
            new DeliverConfig.Pipe(
                List.of("/usr/bin/procmail", "-d", "happy"), Duration.ofMinutes(10)));
    assertThat(m.postmaster()).contains("alice");
    assertThat(m.dedupe()).isEqualTo(new MultidropConfig.Dedupe(true, Duration.ofDays(3)));
  }

  @Test
  void theDefaults() throws Exception {
    MultidropConfig m =
        account(
                """
                    multidrop:
                      local-domains: example.org
                      users: { alice: { maildir: /home/alice/Maildir } }
                """)
            .multidrop()
            .orElseThrow();
    assertThat(m.envelope()).isEmpty();
    assertThat(m.postmaster()).isEmpty();
    assertThat(m.dedupe().acrossAccounts()).isFalse();
    assertThat(m.stripPrefix()).isEqualTo(Optional.empty());
  }

  @Test
  void aMapValueOrPostmasterMustNameAUser() {
    assertError(
        """
            multidrop:
              local-domains: [example.org]
              map: { "*@example.org": alcie }
              users: { alice: { maildir: /home/alice/Maildir } }
        """,
        "9: accounts[0].multidrop.map.*@example.org: no user \"alcie\" under users: (did you mean"
            + " 'alice'?)");
    assertError(
        """
            multidrop:
              local-domains: [example.org]
              users: { alice: { maildir: /home/alice/Maildir } }
              postmaster: root
        """,
        "10: accounts[0].multidrop.postmaster: no user \"root\" under users:");
  }

  @Test
  void badInputIsNamedWithItsLine() {
    assertError(
        """
            multidrop:
              local-domains: [example.org]
        """,
        "8: accounts[0].multidrop: a multidrop mailbox needs users: (each local user's deliver:)");
    assertError(
        """
            multidrop:
              users: { alice: { maildir: /home/alice/Maildir } }
        """,
        "8: accounts[0].multidrop: no address can be local: give local-domains:, aka: or map:"
            + " entries with whole addresses");
    assertError(
        """
            multidrop:
              local-domains: ["example.org; rm -rf"]
              users: { alice: { maildir: /home/alice/Maildir } }
        """,
        "8: accounts[0].multidrop.local-domains[0]: expected a domain name, got \"example.org; rm"
            + " -rf\"");
    assertError(
        """
            multidrop:
              local-domains: [example.org]
              map: { "a*b@example.org": alice }
              users: { alice: { maildir: /home/alice/Maildir } }
        """,
        "9: accounts[0].multidrop.map.a*b@example.org: expected an address, a local part,"
            + " \"*@DOMAIN\" or \"*\", got \"a*b@example.org\"");
    assertError(
        """
            multidrop:
              local-domains: [example.org]
              envelope: [ { header: "Delivered To", skip: 1 } ]
              users: { alice: { maildir: /home/alice/Maildir } }
        """,
        "9: accounts[0].multidrop.envelope[0].header: expected a header field name such as"
            + " Delivered-To, got \"Delivered To\"");
    assertError(
        """
            multidrop:
              local-domains: [example.org]
              users: { "../root": { maildir: /home/alice/Maildir } }
        """,
        "9: accounts[0].multidrop.users.../root: not a user name (letters, digits, \".\", \"_\","
            + " \"-\", at most 32 characters, not starting with \"-\"): \"../root\"");
  }

  @Test
  void recipientHeaderAndMultidropDoNotGoTogether() {
    assertError(
        """
            recipient-header: Delivered-To
            multidrop:
              local-domains: [example.org]
              users: { alice: { maildir: /home/alice/Maildir } }
        """,
        "8: accounts[0].multidrop: set either recipient-header or multidrop, not both");
  }
}
