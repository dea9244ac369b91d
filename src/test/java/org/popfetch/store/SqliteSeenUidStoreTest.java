package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.UidState;

class SqliteSeenUidStoreTest {
  @TempDir Path dir;

  private static final AccountKey WORK = new AccountKey("pop.example.com", "alice");
  private static final AccountKey OTHER = new AccountKey("pop.example.com", "bob");

  @Test
  void hostileUidsSurviveByteForByteAndStayPerAccount() throws Exception {
    Path file = dir.resolve("state/state.db");
    List<String> uids =
        List.of("plain", "it's \"quoted\"", "nul\0in", "new\nline", "\u00ff\u0080high", "'); DROP TABLE seen_uid; --", "x".repeat(1000));
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + file)) {
      List<SeenUid> entries = new ArrayList<>();
      for (String u : uids) {
        entries.add(new SeenUid(u, UidState.KEPT, Instant.ofEpochMilli(1_700_000_000_000L), 42));
      }
      store.record(WORK, entries);
      store.record(OTHER, List.of(new SeenUid("plain", UidState.DELETE_PENDING, Instant.EPOCH, 1)));
    }
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (SqliteSeenUidStore store = SqliteSeenUidStore.open("jdbc:sqlite:" + file)) {
      Map<String, SeenUid> work = store.load(WORK);
      assertThat(work.keySet()).containsExactlyInAnyOrderElementsOf(uids);
      assertThat(work.get("nul\0in").state()).isEqualTo(UidState.KEPT);
      assertThat(work.get("plain").firstSeen()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
      assertThat(store.load(OTHER).get("plain").state()).isEqualTo(UidState.DELETE_PENDING);

      store.forget(WORK, List.of("plain", "new\nline"));
      store.record(WORK, List.of(new SeenUid("nul\0in", UidState.DELETE_PENDING, Instant.EPOCH, 42)));
      Map<String, SeenUid> after = store.load(WORK);
      assertThat(after).hasSize(uids.size() - 2).doesNotContainKeys("plain", "new\nline");
      assertThat(after.get("nul\0in").state()).isEqualTo(UidState.DELETE_PENDING);
      assertThat(store.load(OTHER)).containsKey("plain");
    }
  }
}
