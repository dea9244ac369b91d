package org.popfetch.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The compact listings read as the lists they replace, and find entries by number and by id. */
class UidTableTest {
  @Test
  void aRepeatedNumberKeepsItsFirstEntryInServerOrderAndLookupsWorkUnordered() {
    UidTable t =
        new UidTable.Builder().add(7, "seven").add(2, "two").add(7, "again").add(5, "five").build();

    assertThat(t)
        .containsExactly(
            new UidListing(7, "seven"), new UidListing(2, "two"), new UidListing(5, "five"));
    assertThat(t.indexOfNumber(2)).isEqualTo(1);
    assertThat(t.indexOfNumber(7)).isEqualTo(0);
    assertThat(t.indexOfNumber(6)).isEqualTo(-1);
    assertThat(t.lists("five")).isTrue();
    assertThat(t.lists("again")).isFalse();
  }

  @Test
  void repeatedIdsAreCountedAndIdsAreOctets() {
    UidTable.Builder b = new UidTable.Builder();
    for (int i = 1; i <= 100_000; i++) {
      b.add(i, i % 1000 == 0 ? "dup" : "id-" + i);
    }
    b.add(100_001, "caf\u00e9 \u0000");
    UidTable t = b.build();

    assertThat(t.occurrences(t.indexOfNumber(1000))).isEqualTo(100);
    assertThat(t.occurrences(t.indexOfNumber(1001))).isEqualTo(1);
    assertThat(t.uid(t.indexOfNumber(100_001))).isEqualTo("caf\u00e9 \u0000");
    assertThat(t.lists("caf\u00e9 \u0000")).isTrue();
    assertThat(t.lists("id-99999")).isTrue();
    assertThat(t.lists("id-100000")).isFalse();
    assertThatThrownBy(() -> new UidArena().add("\u20ac"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anIdAddedAfterALookupIsFoundToo() {
    UidArena a = new UidArena();
    a.add("one");
    assertThat(a.indexOf("two")).isEqualTo(-1);
    for (int i = 0; i < 100; i++) {
      a.add("n" + i);
    }
    a.add("two");
    assertThat(a.indexOf("two")).isEqualTo(101);
    assertThat(a.indexOf("n42")).isEqualTo(43);
  }

  @Test
  void aTrimmedArenaHoldsOnlyItsOctetsAndStillTakesAndFindsIds() {
    UidArena a = new UidArena();
    for (int i = 0; i < 20; i++) {
      a.add("uid-" + i);
    }
    long before = a.footprint();

    a.trim();

    assertThat(before).isGreaterThan(4096);
    assertThat(a.footprint()).isLessThan(512);
    assertThat(a.get(19)).isEqualTo("uid-19");
    for (int i = 20; i < 5000; i++) {
      a.add("uid-" + i);
    }
    assertThat(a.indexOf("uid-7")).isEqualTo(7);
    assertThat(a.indexOf("uid-4999")).isEqualTo(4999);
    assertThat(a.get(20)).isEqualTo("uid-20");
  }

  @Test
  void aScanListingKeepsTheFirstOfARepeatedNumber() {
    ScanTable t = new ScanTable.Builder().add(3, 30).add(1, 10).add(3, 99).build();
    assertThat(t).containsExactly(new ScanListing(3, 30), new ScanListing(1, 10));
    assertThat(t.totalOctets()).isEqualTo(40);
  }
}
