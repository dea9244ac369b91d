package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import org.junit.jupiter.api.Test;

/**
 * Rule patterns are RE2 syntax: what needs backtracking is refused at config check, with its line.
 */
class RuleRegexConfigTest {
  private static String withRegex(String regex) {
    return MINIMAL.replace(
        "deliver: { maildir: /home/alice/Maildir }",
        """
        deliver: { maildir: /home/alice/Maildir }
            rules:
              - match: { header: Subject, regex: "%s" }
                deliver: { maildir: /m }
        """
            .formatted(regex)
            .stripTrailing());
  }

  @Test
  void aBackreferenceIsRefusedWithItsLine() {
    assertError(
        withRegex("(a+)\\\\1"),
        "8: accounts[0].rules[0].match.regex: not a regular expression in RE2 syntax"
            + " (which has no backreferences or lookaround): invalid escape sequence: `\\1`");
  }

  @Test
  void lookaroundIsRefusedWithItsLine() {
    assertError(
        withRegex("foo(?=bar)"),
        "8: accounts[0].rules[0].match.regex: not a regular expression in RE2 syntax (which has no"
            + " backreferences or lookaround): invalid or unsupported Perl syntax: `(?=`");
  }

  @Test
  void aPatternThatWouldBacktrackInJavaIsAcceptedForItMatchesInLinearTime() throws Exception {
    assertThat(parse(withRegex("(.*a){12}$")).accounts().get(0).rules().get(0).pattern())
        .isEqualTo("(.*a){12}$");
  }
}
