package org.popfetch.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void escapesC0C1DelAndBidiControlsButNotOrdinaryText() {
    assertThat(
            LogText.sanitize("a\u001b[2Jb\u0007c\u007fd\u009be\u202ef\u2066g\u200fh\u2028i Grüße"))
        .isEqualTo("a\\x1b[2Jb\\x07c\\x7fd\\x9be\\u202ef\\u2066g\\u200fh\\u2028i Grüße");
  }

  @Test
  void boundsTheLengthWithAMarker() {
    String long1000 = "x".repeat(1000);
    assertThat(LogText.sanitize(long1000))
        .isEqualTo("x".repeat(LogText.MAX_LENGTH) + "...[500 more chars]");
    assertThat(LogText.sanitize(long1000, 10)).isEqualTo("x".repeat(10) + "...[990 more chars]");
    assertThat(LogText.sanitize(null)).isEmpty();
  }
}
