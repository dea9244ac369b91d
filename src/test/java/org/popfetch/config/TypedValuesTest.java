package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Values the loader hands on already typed, so that nothing downstream parses them again. */
class TypedValuesTest {
  @Test
  void aResolverPortOutOfRangeIsRefusedAtLoad() {
    assertError(
        "queue: { resolver: \"127.0.0.1:99999\" }\n" + MINIMAL,
        "1: queue.resolver: expected host:port of a DNS server, got \"127.0.0.1:99999\"");
  }

  @Test
  void theStateUrlBecomesAFileWithItsDirectory() throws Exception {
    PopfetchConfig config = parse("state: { url: \"jdbc:sqlite:/srv/pf/state.db\" }\n" + MINIMAL);
    assertThat(config.state().file()).isEqualTo(Path.of("/srv/pf/state.db"));
    assertThat(config.state().directory()).isEqualTo(Path.of("/srv/pf"));
    assertThat(config.quarantine()).isEqualTo(Path.of("/srv/pf/quarantine"));
    assertThat(config.queue().dir()).isEqualTo(Path.of("/srv/pf/queue"));
  }

  @Test
  void anIpv6MetricsAddressKeepsItsHostWithoutBrackets() throws Exception {
    PopfetchConfig config = parse("metrics: { listen: \"[::1]:9105\" }\n" + MINIMAL);
    assertThat(config.metricsListen()).contains(new HostPort("::1", 9105));
    assertThat(config.metricsListen().orElseThrow()).hasToString("[::1]:9105");
  }

  @Test
  void smtpTimeoutsAreReadPerPhaseAndWhatIsNotSetStaysEmpty() throws Exception {
    PopfetchConfig config =
        parse("queue: { smtp-timeouts: { reply: 2m, data-done: 15m } }\n" + MINIMAL);
    assertThat(config.queue().smtpTimeouts())
        .isEqualTo(
            new QueueConfig.SmtpWaits(
                Optional.empty(),
                Optional.of(Duration.ofMinutes(2)),
                Optional.of(Duration.ofMinutes(15))));
    assertThat(parse(MINIMAL).queue().smtpTimeouts()).isEqualTo(QueueConfig.SmtpWaits.DEFAULTS);
  }

  @Test
  void anSmtpTimeoutOutsideItsRangeOrUnderAnUnknownNameIsRefused() {
    assertError(
        "queue: { smtp-timeouts: { reply: 2h } }\n" + MINIMAL,
        "1: queue.smtp-timeouts.reply: must be between 1s and 1h, got \"2h\"");
    assertError(
        "queue: { smtp-timeouts: { data_done: 20m } }\n" + MINIMAL,
        "1: queue.smtp-timeouts.data_done: unknown key (did you mean 'data-done'?);"
            + " valid keys here: connect, reply, data-done");
  }
}
