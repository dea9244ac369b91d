package org.popfetch.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlRequestTest {
  @Test
  void anAccountNameWithSpacesAndLineBreaksStaysOneWordOnOneLine() throws Exception {
    ControlRequest r = ControlRequest.of("poll", List.of("work mail", "a\nb", "100%", "ü"));
    String line = r.line();
    assertThat(line).endsWith("\n").doesNotContain("\r");
    assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
    assertThat(line).isEqualTo("poll work%20mail a%0Ab 100%25 %C3%BC\n");
    assertThat(ControlRequest.parse(line.strip())).isEqualTo(r);
  }

  @Test
  void aVerbAloneHasNoWords() throws Exception {
    assertThat(ControlRequest.parse("reload")).isEqualTo(ControlRequest.of("reload", null));
  }

  @Test
  void refusesWhatIsNotARequest() {
    for (String bad :
        List.of(
            "", "POLL", "poll  a", "poll a ", "poll a%2", "poll a%41", "re-load", "poll \u00e9")) {
      assertThatThrownBy(() -> ControlRequest.parse(bad)).as(bad).isInstanceOf(IOException.class);
    }
  }

  @Test
  void refusesTooManyWordsAndTooLongALine() {
    String many = "poll" + String.join("", Collections.nCopies(ControlRequest.MAX_WORDS + 1, " a"));
    assertThatThrownBy(() -> ControlRequest.parse(many))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("more than 1000 words");
    String longLine = "poll " + "a".repeat(ControlRequest.MAX_LINE);
    assertThatThrownBy(() -> ControlRequest.parse(longLine))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("longer than");
  }
}
