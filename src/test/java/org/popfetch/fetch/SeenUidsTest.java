package org.popfetch.fetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
