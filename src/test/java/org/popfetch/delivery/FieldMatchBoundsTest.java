package org.popfetch.delivery;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;

/** What a rule's pattern costs is bounded, whatever the message says. */
class FieldMatchBoundsTest {
  private static Incoming incoming(String wire) throws Exception {
    HeaderFields header =
        HeaderFields.read(new ByteArrayInputStream(wire.getBytes(ISO_8859_1))).header();
    return new Incoming(
        "acct", new Envelope("s@example.org", "me@example.org"), TraceHeaders.NONE, header);
  }

  private static FieldMatch regex(String header, String pattern) {
    return new FieldMatch(FieldMatch.Source.HEADER, header, FieldMatch.Kind.REGEX, pattern);
  }

  @Test
  void aCatastrophicPatternAgainstACraftedSubjectEndsPromptlyAndMatchesCorrectly()
      throws Exception {
    FieldMatch rule = regex("Subject", "(.*a){12}$");
    // 60 a's and a final character that makes every one of the ~10^12 splits a backtracking
    // engine would try fail.
    Incoming crafted = incoming("Subject: " + "a".repeat(60) + "!\r\n\r\n");
    Incoming matching = incoming("Subject: " + "a".repeat(61) + "\r\n\r\n");

    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          assertThat(rule.match(crafted)).isEmpty();
          assertThat(rule.match(matching)).isPresent();
        });
  }

  @Test
  void groupsStillNameFolders() throws Exception {
    var m =
        regex("List-Id", "<([a-z]+)\\.lists\\.example\\.net>")
            .match(incoming("List-Id: Dev <dev.lists.example.net>\r\n\r\n"));
    assertThat(m).isPresent();
    assertThat(MaildirFolders.expand("Lists.$1.$2", m.get())).isEqualTo("Lists.dev.");
  }

  @Test
  void aRuleSeesOnlyTheFirst8KiBOfAValue() throws Exception {
    Incoming in = incoming("Subject: " + "x".repeat(FieldMatch.MAX_VALUE) + "TAIL\r\n\r\n");
    assertThat(regex("Subject", "TAIL").match(in)).as("past the bound").isEmpty();
    assertThat(regex("Subject", "^x{100}").match(in)).as("within it").isPresent();
  }

  @Test
  void aRuleSeesOnlyTheFirstValuesOfAHeaderThatRepeats() throws Exception {
    StringBuilder wire = new StringBuilder();
    for (int i = 0; i < FieldMatch.MAX_VALUES + 50; i++) {
      wire.append("X-Tag: tag-").append(i).append("\r\n");
    }
    Incoming in = incoming(wire + "\r\n");
    assertThat(regex("X-Tag", "^tag-" + (FieldMatch.MAX_VALUES - 1) + "$").match(in)).isPresent();
    assertThat(regex("X-Tag", "^tag-" + FieldMatch.MAX_VALUES + "$").match(in)).isEmpty();
  }
}
