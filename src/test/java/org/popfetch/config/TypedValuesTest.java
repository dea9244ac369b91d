package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.popfetch.config.ConfigLoaderTest.MINIMAL;
import static org.popfetch.config.ConfigLoaderTest.assertError;
import static org.popfetch.config.ConfigLoaderTest.parse;

import java.nio.file.Path;
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
}
