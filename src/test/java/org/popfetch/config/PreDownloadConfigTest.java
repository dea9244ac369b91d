package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.OversizeAction;

/** Rules that skip or delete, a rule's max-size, and what becomes of mail over max-size. */
class PreDownloadConfigTest {
  private static String with(String extra) {
    return MINIMAL.replace(
        "deliver: { maildir: /home/alice/Maildir }",
        ("deliver: { maildir: /home/alice/Maildir }\n" + extra).stripTrailing());
  }

  @Test
  void rulesSkipDeleteOrDeliverUnderAMaxSizeOfTheirOwn() throws Exception {
    AccountConfig a =
        parse(
                with(
                    """
                        rules:
                          - match: { header: X-Spam-Flag, is: "YES" }
                            action: delete
                          - match: { header: List-Id, glob: "*big*" }
                            action: skip
                          - match: { header: List-Id, glob: "*dev*" }
                            max-size: { size: 1M, action: notice }
                            deliver: { maildir: /m }
                          - match: { sender: { is: a@example.org } }
                            max-size: 10k
                            deliver: { maildir: /m }
                    """))
            .accounts()
            .get(0);
    assertThat(a.rules())
        .extracting(RuleConfig::disposition)
        .containsExactly(
            new RuleConfig.Disposition(
                RuleConfig.Action.DELETE, OptionalLong.empty(), OversizeAction.LEAVE),
            new RuleConfig.Disposition(
                RuleConfig.Action.SKIP, OptionalLong.empty(), OversizeAction.LEAVE),
            new RuleConfig.Disposition(
                RuleConfig.Action.DELIVER, OptionalLong.of(1L << 20), OversizeAction.NOTICE),
            new RuleConfig.Disposition(
                RuleConfig.Action.DELIVER, OptionalLong.of(10L * 1024), OversizeAction.LEAVE));
    assertThat(a.rules().get(0).deliver()).isEmpty();
    assertThat(a.preDownload().oversize()).isEqualTo(OversizeAction.LEAVE);
  }

  @Test
  void maxSizeTakesAnActionAndAPlainSizeLeaves() throws Exception {
    AccountConfig plain = parse(with("    max-size: 20M\n")).accounts().get(0);
    assertThat(plain.maxSize()).hasValue(20L << 20);
    assertThat(plain.preDownload().oversize()).isEqualTo(OversizeAction.LEAVE);
    AccountConfig notice =
        parse(with("    max-size: { size: 20M, action: notice }\n")).accounts().get(0);
    assertThat(notice.maxSize()).hasValue(20L << 20);
    assertThat(notice.preDownload().oversize()).isEqualTo(OversizeAction.NOTICE);
  }

  @Test
  void maxSizeUnderDefaultsCarriesItsAction() throws Exception {
    String yaml = "defaults: { max-size: { size: 5M, action: delete } }\n" + MINIMAL;
    AccountConfig a = parse(yaml).accounts().get(0);
    assertThat(a.maxSize()).hasValue(5L << 20);
    assertThat(a.preDownload().oversize()).isEqualTo(OversizeAction.DELETE);
  }

  @Test
  void anUnknownActionIsRefusedWithItsLine() {
    assertError(
        with("    max-size: { size: 20M, action: bounce }\n"),
        "7: accounts[0].max-size.action: expected leave, delete or notice, got \"bounce\"");
    assertError(
        with(
            """
                rules:
                  - match: { header: X-Spam-Flag, is: "YES" }
                    action: drop
            """),
        "9: accounts[0].rules[0].action: expected deliver, skip or delete, got \"drop\"");
  }

  @Test
  void aRuleThatSkipsOrDeletesTakesNoDestinationAndOneThatDeliversNeedsOne() {
    assertError(
        with(
            """
                rules:
                  - match: { header: X-Spam-Flag, is: "YES" }
                    action: skip
                    deliver: { maildir: /m }
            """),
        "10: accounts[0].rules[0].deliver: a rule with action: skip fetches nothing, so it takes"
            + " no deliver:");
    assertError(
        with(
            """
                rules:
                  - match: { header: X-Spam-Flag, is: "YES" }
            """),
        "8: accounts[0].rules[0]: a rule needs deliver:, or action: skip or action: delete");
  }

  @Test
  void keepRefusesWhatDeletesUnreadMail() {
    assertThatThrownBy(
            () ->
                parse(
                    with(
                        """
                            keep: true
                            rules:
                              - match: { header: X-Spam-Flag, is: "YES" }
                                action: delete
                        """)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("accounts[0].rules[0]: this rule deletes mail on the server")
        .hasMessageContaining("keep: true");
    assertThatThrownBy(
            () ->
                parse(
                    with(
                        """
                            keep: true
                            max-size: { size: 1M, action: delete }
                        """)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("accounts[0].max-size: action: delete removes mail from the server");
  }

  @Test
  void keepTakesSkipAndNotice() throws Exception {
    AccountConfig a =
        parse(
                with(
                    """
                        keep: true
                        max-size: { size: 1M, action: notice }
                        rules:
                          - match: { header: X-Spam-Flag, is: "YES" }
                            action: skip
                    """))
            .accounts()
            .get(0);
    assertThat(a.keep()).isTrue();
  }
}
