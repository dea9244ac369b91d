package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.popfetch.pop3.UidTable;

/** The compact form of the store's rows reads as the map of records it replaces. */
class SeenUidsTest {
  @Test
  void readsAsAMapOfRecords() {
    SeenUids seen = new SeenUids();
    for (int i = 0; i < 1000; i++) {
      seen.add(
          ("id-" + i).getBytes(ISO_8859_1), UidState.KEPT, Instant.ofEpochMilli(i), i * 10L, 0, "");
    }
    seen.add(
        "caf\u00e9".getBytes(ISO_8859_1),
        UidState.FAILED,
        Instant.ofEpochMilli(5),
        77,
        3,
        "disk full");

    assertThat(seen).hasSize(1001);
    assertThat(seen.get("id-42"))
        .isEqualTo(new SeenUid("id-42", UidState.KEPT, Instant.ofEpochMilli(42), 420));
    assertThat(seen.get("caf\u00e9"))
        .isEqualTo(
            new SeenUid("caf\u00e9", UidState.FAILED, Instant.ofEpochMilli(5), 77, 3, "disk full"));
    assertThat(seen.get("id-1000")).isNull();
    assertThat(seen.containsKey("id-999")).isTrue();
    assertThat(seen.keySet()).hasSize(1001).contains("id-0", "caf\u00e9");
    assertThat(seen.entrySet()).extracting(Map.Entry::getKey).startsWith("id-0", "id-1");
    assertThat(seen).isEqualTo(Map.copyOf(seen));
  }

  /**
   * The end of a poll forgets what the server no longer lists: found by octets, the same ids as a
   * lookup of each id's String finds, in the order loaded.
   */
  @Test
  void theIdsAbsentFromTheListingAreThoseNoLookupFinds() {
    SeenUids seen = new SeenUids();
    UidTable.Builder listing = new UidTable.Builder();
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < 5000; i++) {
      String id = "id-" + i + (i % 7 == 0 ? "\u00e9\u00ff" : "");
      seen.add(id.getBytes(ISO_8859_1), UidState.KEPT, Instant.ofEpochMilli(i), 1, 0, "");
      if (random.nextInt(4) != 0) {
        listing.add(listing.size() + 1, id);
      }
      if (random.nextInt(50) == 0) {
        listing.add(listing.size() + 1, id + "x"); // a longer id with the same start
        listing.add(listing.size() + 1, id); // and a repeat
      }
    }
    UidTable table = listing.build();
    java.util.List<String> expected =
        seen.keySet().stream().filter(uid -> !table.lists(uid)).toList();
    assertThat(expected).hasSizeBetween(1000, 1500);
    assertThat(seen.absentFrom(table)).isEqualTo(expected);
    assertThat(new SeenUids().absentFrom(table)).isEmpty();
    assertThat(seen.absentFrom(UidTable.empty())).hasSize(5000);
  }

  /**
   * A map kept between polls holds its ids' octets, not the room for more: twenty ids of a small
   * kept mailbox in a 4 KiB chunk were 4 KiB an account in the service.
   */
  @Test
  void aMapIndexedForKeepingHoldsItsIdsWithoutRoomForMore() {
    SeenUids seen = new SeenUids();
    for (int i = 0; i < 20; i++) {
      String id = "1a2b3c4d5e6f7a8b9c0d-" + i;
      seen.add(id.getBytes(ISO_8859_1), UidState.KEPT, Instant.ofEpochMilli(i), 1, 0, "");
    }
    assertThat(seen.idFootprint()).isGreaterThan(4096);

    SeenUids kept = seen.indexed();

    // 20 ids of 23-24 octets, two int arrays of 24, an index of 64 slots.
    assertThat(kept.idFootprint()).isLessThan(1024);
    assertThat(kept.get("1a2b3c4d5e6f7a8b9c0d-7"))
        .isEqualTo(
            new SeenUid("1a2b3c4d5e6f7a8b9c0d-7", UidState.KEPT, Instant.ofEpochMilli(7), 1));
    // What a later write makes of it still holds every id.
    SeenUids after =
        kept.recording(List.of(new SeenUid("new-id", UidState.KEPT, Instant.ofEpochMilli(99), 2)));
    assertThat(after).hasSize(21).containsKeys("1a2b3c4d5e6f7a8b9c0d-0", "new-id");
  }
}
