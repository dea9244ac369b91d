package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.config.QueueConfig;
import org.popfetch.smtp.SmtpTimeouts;

/** A wait set under queue.smtp-timeouts replaces its default; the others stay RFC 5321's. */
class SmtpTimeoutsWiringTest {
  @Test
  void eachWaitNotSetKeepsTheRfcDefault() {
    assertThat(AccountWiring.smtpTimeouts(QueueConfig.SmtpWaits.DEFAULTS))
        .isEqualTo(SmtpTimeouts.RFC_5321);
    QueueConfig.SmtpWaits set =
        new QueueConfig.SmtpWaits(
            Optional.of(Duration.ofSeconds(5)), Optional.empty(), Optional.empty());
    assertThat(AccountWiring.smtpTimeouts(set))
        .isEqualTo(
            new SmtpTimeouts(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(10)));
  }
}
