package org.popfetch.multidrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.popfetch.multidrop.RecipientMap.Local;

class RecipientMapTest {
  final RecipientMap map =
      new RecipientMap(
          Set.of("example.org", "mx.example.net"),
          Map.of(
              "hurkle", "happy",
              "boss@other.com", "alice",
              "*@lists.example.org", "lists",
              "info@example.org", "bob"),
          Set.of("alice", "bob", "happy", "lists", "catchall"),
          Optional.of("example-"));

  @Test
  void aWholeAddressInTheMapWinsWhateverItsDomain() {
    assertThat(map.user("Boss@Other.COM", false)).contains("alice");
    assertThat(map.user("info@example.org", false)).contains("bob");
  }

  @Test
  void aLocalAddressMapsByLocalPartThenByUserName() {
    assertThat(map.user("hurkle@example.org", false)).contains("happy");
    assertThat(map.user("ALICE@example.org", false)).contains("alice");
    assertThat(map.user("alice@mail.mx.example.net", false)).contains("alice"); // a subdomain
  }

  @Test
  void whatIsNotLocalOrMatchesNothingIsForNobody() {
    assertThat(map.user("alice@elsewhere.com", false)).isEmpty();
    assertThat(map.user("alice@notexample.org", false)).isEmpty();
    assertThat(map.user("stranger@example.org", false)).isEmpty();
  }

  @Test
  void aDomainWildcardTakesTheRestOfThatDomainAndStarTakesEveryLocalRest() {
    assertThat(map.user("anyone@lists.example.org", false)).contains("lists");
    assertThat(map.user("alice@lists.example.org", false)).contains("alice");
    RecipientMap star =
        new RecipientMap(
            Set.of("example.org"),
            Map.of("*", "catchall"),
            Set.of("alice", "catchall"),
            Optional.empty());
    assertThat(star.user("someone@example.org", false)).contains("catchall");
    assertThat(star.user("someone@example.com", false)).isEmpty();
  }

  @Test
  void thePrefixIsStrippedFromEnvelopeAddressesOnly() {
    assertThat(map.user("example-alice@example.org", true)).contains("alice");
    assertThat(map.user("example-alice@example.org", false)).isEmpty();
    assertThat(map.user("example-@example.org", true)).isEmpty();
  }

  @Test
  void eachUserOnceWithTheFirstAddressThatReachedThem() {
    assertThat(
            map.users(
                List.of(
                    "hurkle@example.org",
                    "nobody@elsewhere.com",
                    "alice@example.org",
                    "happy@example.org"),
                false))
        .containsExactly(
            new Local("happy", "hurkle@example.org"), new Local("alice", "alice@example.org"));
  }
}
