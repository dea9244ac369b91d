package org.popfetch.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;
import org.popfetch.smtp.SmtpSettings;

/** The route ids read back from queue files find the routes that wrote them. */
class RoutesTest {
  private static QueueRunner.Route route(String host) {
    return new QueueRunner.Route(
        new SmtpSettings(
            host,
            25,
            SmtpSettings.Tls.NONE,
            TlsTrust.SYSTEM,
            new Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(5)),
            Duration.ofMinutes(10),
            "popfetch.test",
            false,
            true),
        Optional.empty());
  }

  @Test
  void aRouteIsFoundByItsIdAndADomainOfDirectDeliveryByTheMxRoute() {
    QueueRunner.Route relay = route("relay.example.net");
    QueueRunner.Route mx = route("mx");
    Routes routes = new Routes(Map.of("smtp:relay.example.net:25", relay, "mx", mx));

    assertThat(routes.find("smtp:relay.example.net:25"))
        .contains(new Routes.Found(relay, Optional.empty()));
    assertThat(routes.find("mx:example.org"))
        .contains(new Routes.Found(mx, Optional.of("example.org")));
    assertThat(routes.find("smtp:gone.example.net:25")).isEmpty();
  }

  @Test
  void aDomainOfDirectDeliveryIsNotFoundOnceDirectDeliveryIsNoLongerConfigured() {
    Routes routes = new Routes(Map.of("smtp:relay.example.net:25", route("relay.example.net")));
    assertThat(routes.find("mx:example.org")).isEmpty();
  }
}
