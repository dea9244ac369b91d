package org.popfetch.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.popfetch.pop3.TlsMode;
import org.popfetch.testing.FakeDnsServer;

/** SRV answers as a hostile or careless DNS server can give them. */
class SrvLookupTest {
  private static final EmailAddress ALICE = EmailAddress.parse("alice@example.test");

  private static Finding find(FakeDnsServer dns) throws Exception {
    return new SrvLookup(Optional.of(dns.address()), Duration.ofSeconds(2)).find(ALICE);
  }

  @Test
  void lowestPriorityThenHighestWeightWinsWhateverTheOrder() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.srv("_pop3s._tcp.example.test", "pop3.example.test.", 995, 10, 100)
          .srv("_pop3s._tcp.example.test", "pop1.example.test.", 995, 0, 5)
          .srv("_pop3s._tcp.example.test", "pop2.example.test.", 1995, 0, 50);
      Suggestion s = find(dns).suggestion().orElseThrow();
      assertThat(s.host()).isEqualTo("pop2.example.test");
      assertThat(s.port()).isEqualTo(1995);
      assertThat(s.tls()).isEqualTo(TlsMode.IMPLICIT);
      assertThat(s.user()).isEqualTo("alice@example.test");
      assertThat(s.warnings()).isEmpty();
      assertThat(s.source()).contains("_pop3s._tcp.example.test", "priority 0", "weight 50");
    }
  }

  @Test
  void implicitTlsIsPreferredOverStls() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.srv("_pop3._tcp.example.test", "plain.example.test.", 110, 0, 0)
          .srv("_pop3s._tcp.example.test", "tls.example.test.", 995, 5, 0);
      assertThat(find(dns).suggestion().orElseThrow().host()).isEqualTo("tls.example.test");
    }
  }

  @Test
  void stlsWhenOnlyPop3IsPublished() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.srv("_pop3._tcp.example.test", "pop.example.test.", 110, 0, 0);
      Suggestion s = find(dns).suggestion().orElseThrow();
      assertThat(s.tls()).isEqualTo(TlsMode.STARTTLS);
      assertThat(s.port()).isEqualTo(110);
    }
  }

  @Test
  void aDotTargetMeansNotOfferedAndStopsTheSearch() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.srv("_pop3s._tcp.example.test", ".", 0, 0, 0)
          .srv("_pop3._tcp.example.test", ".", 0, 0, 0);
      Finding f = find(dns);
      assertThat(f.suggestion()).isEmpty();
      assertThat(f.refused()).isTrue();
      assertThat(f.tried()).anySatisfy(l -> assertThat(l).contains("does not offer"));
    }
  }

  @Test
  void aTargetOutsideTheMailDomainIsWarnedAbout() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.srv("_pop3s._tcp.example.test", "pop.hoster.example.", 995, 0, 0);
      Suggestion s = find(dns).suggestion().orElseThrow();
      assertThat(s.warnings())
          .singleElement()
          .asString()
          .contains("does not match the mail domain example.test");
    }
  }

  @Test
  void aTargetWithControlCharactersIsRefusedAndShownEscaped() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.srv("_pop3s._tcp.example.test", "pop\\027[2J\\010.example.test.", 995, 0, 0)
          .srv("_pop3s._tcp.example.test", "backup.example.test.", 995, 9, 0);
      Finding f = find(dns);
      // The hostile record had the better priority: it is skipped, not used.
      assertThat(f.suggestion().orElseThrow().host()).isEqualTo("backup.example.test");
      assertThat(String.join("\n", f.tried()))
          .contains("refused, not a host name")
          .doesNotContain("\u001b", "\b");
    }
  }

  @Test
  void nothingPublishedIsNoFindingAndNoRefusal() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      Finding f = find(dns);
      assertThat(f.suggestion()).isEmpty();
      assertThat(f.refused()).isFalse();
      assertThat(f.tried()).hasSize(2);
    }
  }
}
