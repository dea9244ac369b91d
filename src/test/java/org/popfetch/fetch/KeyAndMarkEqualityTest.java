package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link AccountKey} and {@link ListingMark} compare as records do, component by component, with
 * their equals and hashCode written out: a key finds its entries in a map, and a mark that did not
 * change is not written again.
 */
class KeyAndMarkEqualityTest {
  @Test
  void keysAreEqualExactlyWhenTheirScopesAre() {
    AccountKey a = AccountKey.of("Pop.Example.org", 995, "alice");
    AccountKey same = AccountKey.named("alice@pop.example.org:995");

    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(a)
        .isNotEqualTo(AccountKey.of("pop.example.org", 110, "alice"))
        .isNotEqualTo(AccountKey.of("pop.example.org", 995, "bob"))
        .isNotEqualTo("alice@pop.example.org:995")
        .isNotEqualTo(null);
    Set<AccountKey> keys = new HashSet<>(Set.of(a));
    assertThat(keys.contains(same)).isTrue();
  }

  @Test
  void marksAreEqualExactlyWhenPositionUidAndShortcutsAre() {
    ListingMark m = new ListingMark(20_000, "000abc", 2);

    assertThat(m).isEqualTo(new ListingMark(20_000, "000abc", 2));
    assertThat(m).hasSameHashCodeAs(new ListingMark(20_000, "000abc", 2));
    assertThat(m)
        .isNotEqualTo(new ListingMark(20_001, "000abc", 2))
        .isNotEqualTo(new ListingMark(20_000, "000abd", 2))
        .isNotEqualTo(new ListingMark(20_000, "000abc", 3))
        .isNotEqualTo(null);
  }

  @Test
  void aMarkIsAtTheSamePlaceWhateverItsCountButNotWithAnotherPositionOrUid() {
    ListingMark m = new ListingMark(20_000, "000abc", 2);

    assertThat(m.samePlaceAs(new ListingMark(20_000, "000abc", 3))).isTrue();
    assertThat(m.samePlaceAs(new ListingMark(20_001, "000abc", 2))).isFalse();
    assertThat(m.samePlaceAs(new ListingMark(20_000, "000abd", 2))).isFalse();
  }
}
