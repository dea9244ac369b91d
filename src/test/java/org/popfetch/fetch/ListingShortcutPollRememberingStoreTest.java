package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.popfetch.store.RememberingSeenUidStore;
import org.popfetch.store.SqliteSeenUidStore;

/**
 * Every listing-mark poll again through the store the service uses, which keeps the entries and the
 * mark in memory between polls; after each test, memory holds what the file holds.
 */
class ListingShortcutPollRememberingStoreTest extends ListingShortcutPollTest {
  private Path file;

  @Override
  SeenUidStore openStore(Path file) throws IOException {
    this.file = file;
    return new RememberingSeenUidStore(SqliteSeenUidStore.open(file), 1_000);
  }

  @AfterEach
  void memoryHoldsWhatTheFileHolds() throws IOException {
    try (SqliteSeenUidStore fromFile = SqliteSeenUidStore.open(file)) {
      assertThat(new HashMap<>(store.load(key()))).isEqualTo(new HashMap<>(fromFile.load(key())));
      assertThat(store.loadMark(key())).isEqualTo(fromFile.loadMark(key()));
    }
  }
}
