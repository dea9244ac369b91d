package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import org.junit.jupiter.api.Test;
import org.popfetch.net.Framing;

/** The header switches and line-endings: read per account, over the defaults. */
class SwitchesConfigTest {
  @Test
  void unsetTheyAreWhatPopfetchAlwaysDid() throws Exception {
    Switches s = parse(MINIMAL).accounts().get(0).switches();
    assertThat(s).isEqualTo(Switches.DEFAULT);
    assertThat(s.received()).isTrue();
    assertThat(s.deliveredTo()).isTrue();
    assertThat(s.dropDeliveredTo()).isFalse();
    assertThat(s.dropStatus()).isFalse();
    assertThat(s.lineEndings()).isEqualTo(Framing.CRLF);
  }

  @Test
  void readsEachSwitchAndTakesTheRestFromTheDefaults() throws Exception {
    PopfetchConfig config =
        parse(
            """
            defaults:
              received: false
              drop-status: true
              line-endings: lf-tolerant
            accounts:
              - name: one
                server: pop.example.com
                user: alice
                password: { env: P }
                deliver: { maildir: /home/alice/Maildir }
                delivered-to: false
                drop-delivered-to: true
              - name: two
                server: pop.example.org
                user: bob
                password: { env: P }
                deliver: { maildir: /home/bob/Maildir }
                received: true
                line-endings: crlf
            """);
    assertThat(config.account("one").orElseThrow().switches())
        .isEqualTo(new Switches(false, false, true, true, Framing.LF_TOLERANT));
    assertThat(config.account("two").orElseThrow().switches())
        .isEqualTo(new Switches(true, true, false, true, Framing.CRLF));
  }

  @Test
  void aBadValueNamesItsLineAndKey() {
    assertError(
        MINIMAL.replace("user: alice", "user: alice\n    line-endings: lf"),
        "5: accounts[0].line-endings: expected crlf or lf-tolerant, got \"lf\"");
    assertError(
        MINIMAL.replace("user: alice", "user: alice\n    drop-status: sometimes"),
        "5: accounts[0].drop-status: expected true or false, got \"sometimes\"");
  }
}
