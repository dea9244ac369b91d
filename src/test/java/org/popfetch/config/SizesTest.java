package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
  @ParameterizedTest
  @CsvSource({
    "1048576, 1048576",
    "100B, 100",
    "512K, 524288",
    "512KB, 524288",
    "512KiB, 524288",
    "512kb, 524288",
    "20M, 20971520",
    "20MB, 20971520",
    "20MiB, 20971520",
    "'20 MB', 20971520",
    "1G, 1073741824",
    "1GB, 1073741824",
    "1gib, 1073741824",
    "0, 0",
  })
  void countsInPowersOf1024(String text, long bytes) {
    assertThat(Sizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MB", "20XB", "1.5MB", "-1", "20 M B", "1TB", "twenty"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> Sizes.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected a size such as 1048576, 512KB, 20MB or 1GB, got \"");
  }

  @Test
  void refusesWhatDoesNotFitALong() {
    assertThatThrownBy(() -> Sizes.parse("9999999999999999999"))
        .hasMessage("size too large: \"9999999999999999999\"");
    assertThatThrownBy(() -> Sizes.parse("9999999999GB"))
        .hasMessage("size too large: \"9999999999GB\"");
  }
}
