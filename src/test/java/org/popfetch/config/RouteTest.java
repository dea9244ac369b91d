package org.popfetch.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Route ids are stored in queue files: their spelling must not change. */
class RouteTest {
  @Test
  void aFixedRouteQueuesEveryDomainUnderItsOwnId() {
    Route relay = new Route.Smarthost("relay.example.net", 587);
    assertThat(relay.id()).isEqualTo("smtp:relay.example.net:587");
    assertThat(relay.idFor("Example.ORG")).isEqualTo("smtp:relay.example.net:587");
    assertThat(new Route.Lmtp("/run/dovecot/lmtp", 24).idFor("a.example"))
        .isEqualTo("lmtp:/run/dovecot/lmtp:24");
  }

  @Test
  void directDeliveryQueuesEachDomainOnItsOwnInLowerCase() {
    Route mx = new Route.Mx();
    assertThat(mx.id()).isEqualTo("mx");
    assertThat(mx.idFor("Example.ORG")).isEqualTo("mx:example.org");
  }
}
