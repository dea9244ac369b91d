package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import org.junit.jupiter.api.Test;
import org.popfetch.fetch.AccountKey;

/** Each account keeps its seen UIDs in a scope of its own. */
class ConfigScopeTest {
  private static final String SECOND =
      """
        - name: again
          server: POP.Example.com
          port: 995
          user: alice
          password: { env: AGAIN_PASS }
          deliver: { maildir: /home/alice/Again }
      """;

  @Test
  void aSecondAccountOnTheSameServerPortAndUserIsRefusedAtItsLine() {
    assertError(
        MINIMAL + SECOND,
        "7: accounts[1]: account \"again\" polls the same mailbox as account \"work\" (line 2):"
            + " same server, port and user; one mailbox needs one account, or the two race for its"
            + " mail and take each other's records for their own");
  }

  @Test
  void theSameHostAndUserOnAnotherPortIsAnotherScope() throws Exception {
    PopfetchConfig config = parse(MINIMAL + SECOND.replace("995", "1995"));

    assertThat(config.accounts().get(0).scope())
        .isEqualTo(AccountKey.of("pop.example.com", 995, "alice"));
    assertThat(config.accounts().get(1).scope())
        .isEqualTo(AccountKey.of("pop.example.com", 1995, "alice"));
  }

  @Test
  void aNamedScopeTakenByAnotherAccountIsRefused() {
    assertError(
        MINIMAL
            + SECOND.replace(
                "995", "110\n    tls: starttls\n    uid-scope: alice@pop.example.com:995"),
        "7: accounts[1]: account \"again\" has uid-scope \"alice@pop.example.com:995\", the scope"
            + " of account \"work\" (line 2) too; each account needs a scope of its own");
  }

  @Test
  void aNamedScopeKeepsTheStateOfTheOldPort() throws Exception {
    PopfetchConfig config =
        parse(
            MINIMAL.replace(
                "user: alice",
                "user: alice\n    port: 1995\n    uid-scope: alice@pop.example.com:995"));

    assertThat(config.accounts().get(0).scope())
        .isEqualTo(AccountKey.of("pop.example.com", 995, "alice"));
  }

  @Test
  void aScopeCannotBeADefaultNorHoldControlCharacters() {
    assertError(
        "defaults:\n  uid-scope: shared\n" + MINIMAL,
        "2: defaults.uid-scope: each account needs its own uid-scope; it cannot be a default");
    assertError(
        MINIMAL.replace("user: alice", "user: alice\n    uid-scope: \"a\\nb\""),
        "5: accounts[0].uid-scope: expected up to 255 printable characters, got \"a\\nb\"");
  }
}
