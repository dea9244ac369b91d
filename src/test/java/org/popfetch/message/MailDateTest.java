package org.popfetch.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MailDateTest {
  @Test
  void formatsAnInstantAsAnRfc5322DateInUtc() {
    assertThat(MailDate.format(Instant.parse("2026-11-30T18:53:48Z")))
        .isEqualTo("Mon, 30 Nov 2026 18:53:48 +0000");
  }
}
