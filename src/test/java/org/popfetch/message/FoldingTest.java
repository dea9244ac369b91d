package org.popfetch.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.james.mime4j.util.MimeUtil;
import org.junit.jupiter.api.Test;

/**
 * Folding as Mime4j's {@code MimeUtil} folds, which it replaces: the same text, character for
 * character.
 */
class FoldingTest {
  private static final char[] ALPHABET = {'a', 'b', ' ', ' ', '\t', '\r', '\n', 'é', ';', '<'};

  private static String randomText(Random random, int maxLength) {
    char[] text = new char[random.nextInt(maxLength + 1)];
    for (int i = 0; i < text.length; i++) {
      // Mostly letters, so that words of every length come up between the spaces.
      text[i] = random.nextInt(4) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)] : 'x';
    }
    return new String(text);
  }

  @Test
  void foldsAsMimeUtilDoesForRandomBodiesAndFirstLines() {
    Random random = new Random(20261201);
    for (int i = 0; i < 20_000; i++) {
      String body = randomText(random, 300);
      int used = random.nextInt(90);
      assertThat(Folding.fold(body, used))
          .as("fold(%s, %d)", body, used)
          .isEqualTo(MimeUtil.fold(body, used));
    }
  }

  @Test
  void unfoldsAsMimeUtilDoesForRandomBodies() {
    Random random = new Random(1201);
    for (int i = 0; i < 20_000; i++) {
      String body = randomText(random, 120);
      assertThat(Folding.unfold(body)).as("unfold(%s)", body).isEqualTo(MimeUtil.unfold(body));
    }
  }

  @Test
  void aShortBodyIsLeftAsItIsAndALongOneBreaksBeforeWhitespace() {
    assertThat(Folding.fold("short", 10)).isEqualTo("short");
    String body = "from pop.example.com by mx.local with POP3S (popfetch) for <alice@example.com>";
    String folded = Folding.fold(body, "Received: ".length());
    assertThat(folded)
        .isEqualTo(
            "from pop.example.com by mx.local with POP3S (popfetch) for\r\n <alice@example.com>");
    assertThat(Folding.unfold(folded)).isEqualTo(body);
  }

  @Test
  void aWordLongerThanALineStaysWhole() {
    String word = "x".repeat(100);
    assertThat(Folding.fold(word, 10)).isEqualTo(word);
    assertThat(Folding.fold("a " + word + " b", 10)).isEqualTo("a\r\n " + word + "\r\n b");
  }

  @Test
  void unfoldingTakesOutEveryLineBreakAndKeepsTheWhitespace() {
    assertThat(Folding.unfold("a\r\n b\n\tc\rd\r\n")).isEqualTo("a b\tcd");
    assertThat(Folding.unfold("")).isEmpty();
    assertThat(Folding.unfold("\r\n")).isEmpty();
  }
}
