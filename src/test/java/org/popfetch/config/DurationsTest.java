package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "90s, PT1M30S",
    "5m, PT5M",
    "2h, PT2H",
    "7d, PT168H",
    "0s, PT0S",
    "' 10 s ', PT10S",
  })
  void parsesANumberAndAUnit(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "300", "5x", "5M", "5S", "1h30m", "PT5M", "-5m", "1.5h", "m"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected a duration such as 500ms, 90s, 5m, 2h or 7d, got \"");
  }

  @Test
  void refusesWhatDoesNotFitADuration() {
    assertThatThrownBy(() -> Durations.parse("999999999999999999d"))
        .hasMessage("duration too large: \"999999999999999999d\" (at most 36500d)");
  }

  @Test
  void aCenturyIsTheLongestAccepted() {
    assertThat(Durations.parse("36500d")).isEqualTo(Duration.ofDays(36500));
    // Anything longer cannot be added to a date or counted in milliseconds without overflowing.
    assertThatThrownBy(() -> Durations.parse("36501d"))
        .hasMessage("duration too large: \"36501d\" (at most 36500d)");
    assertThatThrownBy(() -> Durations.parse("99999999999999d"))
        .hasMessage("duration too large: \"99999999999999d\" (at most 36500d)");
  }
}
