package org.popfetch.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.popfetch.net.TlsTrust;

/** The SMTP client's waits default to RFC 5321 section 4.5.3.2 and reach the connection. */
class SmtpTimeoutsTest {
  @Test
  void theDefaultsAreTheRfcsAndSettingsBuiltFromThemCarryEachPhase() {
    SmtpTimeouts rfc = SmtpTimeouts.RFC_5321;
    assertThat(rfc.reply()).isEqualTo(Duration.ofMinutes(5));
    assertThat(rfc.dataDone()).isEqualTo(Duration.ofMinutes(10));

    SmtpSettings s =
        new SmtpSettings(
            "relay.example.net",
            25,
            SmtpSettings.Tls.STARTTLS,
            TlsTrust.SYSTEM,
            new SmtpTimeouts(Duration.ofSeconds(7), Duration.ofSeconds(70), Duration.ofMinutes(7)),
            "popfetch.test",
            false,
            false);
    assertThat(s.timeouts().connect()).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.timeouts().read()).isEqualTo(Duration.ofSeconds(70));
    assertThat(s.dataDoneTimeout()).isEqualTo(Duration.ofMinutes(7));
  }

  @Test
  void aWaitThatIsNotPositiveIsRefused() {
    assertThatThrownBy(
            () -> new SmtpTimeouts(Duration.ZERO, Duration.ofMinutes(5), Duration.ofMinutes(10)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
