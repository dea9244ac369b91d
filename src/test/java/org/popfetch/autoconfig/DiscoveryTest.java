package org.popfetch.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.popfetch.pop3.TlsMode;

/** The order of the sources, the built-in table, and addresses. */
class DiscoveryTest {
  private static final EmailAddress ALICE = EmailAddress.parse("Alice@Example.TEST");

  private static Function<EmailAddress, Finding> silent(String name, List<String> asked) {
    return a -> {
      asked.add(name);
      return Finding.none(List.of(name + ": nothing"));
    };
  }

  @Test
  void theFirstSourceWithAnAnswerWinsAndLaterOnesAreNotAsked() {
    List<String> asked = new ArrayList<>();
    Suggestion s =
        new Suggestion(
            "pop.example.test",
            995,
            TlsMode.IMPLICIT,
            "alice",
            Optional.empty(),
            "autoconfig",
            List.of());
    Discovery d =
        new Discovery(
            List.of(
                silent("srv", asked),
                a -> {
                  asked.add("autoconfig");
                  return new Finding(Optional.of(s), List.of("autoconfig: found"), false);
                },
                silent("table", asked)));
    Discovery.Outcome o = d.find(ALICE);
    assertThat(o.suggestion()).contains(s);
    assertThat(asked).containsExactly("srv", "autoconfig");
    assertThat(o.tried()).containsExactly("srv: nothing", "autoconfig: found");
  }

  @Test
  void aRefusalStopsTheSearch() {
    List<String> asked = new ArrayList<>();
    Discovery d =
        new Discovery(
            List.of(
                a -> new Finding(Optional.empty(), List.of("srv: not offered"), true),
                silent("table", asked)));
    assertThat(d.find(ALICE).suggestion()).isEmpty();
    assertThat(asked).isEmpty();
  }

  @Test
  void gmailFromTheTableWantsGoogleOauth() {
    Suggestion s = ProviderTable.find(EmailAddress.parse("bob@googlemail.com")).suggestion().get();
    assertThat(s.host()).isEqualTo("pop.gmail.com");
    assertThat(s.port()).isEqualTo(995);
    assertThat(s.tls()).isEqualTo(TlsMode.IMPLICIT);
    assertThat(s.user()).isEqualTo("bob@googlemail.com");
    assertThat(s.oauth()).contains("google");
  }

  @Test
  void microsoftDomainsAndTenantsWantMicrosoftOauth() {
    for (String a :
        List.of("c@outlook.com", "c@hotmail.com", "c@live.com", "c@x.onmicrosoft.com")) {
      Suggestion s = ProviderTable.find(EmailAddress.parse(a)).suggestion().get();
      assertThat(s.host()).isEqualTo("outlook.office365.com");
      assertThat(s.oauth()).contains("microsoft");
    }
  }

  @Test
  void icloudHasNoPop3AndSaysSo() {
    Finding f = ProviderTable.find(EmailAddress.parse("d@icloud.com"));
    assertThat(f.suggestion()).isEmpty();
    assertThat(f.refused()).isTrue();
    assertThat(f.tried()).singleElement().asString().contains("IMAP only, no POP3");
  }

  @Test
  void anUnknownDomainIsNotInTheTable() {
    assertThat(ProviderTable.find(ALICE).suggestion()).isEmpty();
    assertThat(ProviderTable.find(ALICE).refused()).isFalse();
  }

  @Test
  void addressesAreCheckedAndTheDomainLowerCased() {
    assertThat(ALICE.domain()).isEqualTo("example.test");
    assertThat(ALICE.localPart()).isEqualTo("Alice");
    for (String bad :
        List.of(
            "nobody",
            "@example.test",
            "a@",
            "a b@example.test",
            "a@exa_mple.test",
            "a@example.test\u001b[2J",
            "a@localhost",
            "a@-x.test")) {
      assertThatThrownBy(() -> EmailAddress.parse(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
