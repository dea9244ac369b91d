package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.popfetch.store.RememberingSeenUidStore;
import org.popfetch.store.SqliteSeenUidStore;

/**
 * Every scripted poll ordering again, through the store the service uses: the seen UIDs kept in
 * memory between the polls of a test. Crashes, cut connections, failed commits and QUITs must lose
 * nothing, deliver nothing twice and delete nothing early here as with the file alone; and after
 * each test what memory holds is what the file holds.
 */
class ScriptedPollRememberingStoreTest extends ScriptedPollTest {
  private Path file;

  @Override
  SeenUidStore openStore(Path file) throws IOException {
    this.file = file;
    return new RememberingSeenUidStore(SqliteSeenUidStore.open(file), 1_000);
  }

  @AfterEach
  void memoryHoldsWhatTheFileHolds() throws IOException {
    AccountKey key = AccountKey.of("127.0.0.1", port, "u");
    try (SqliteSeenUidStore fromFile = SqliteSeenUidStore.open(file)) {
      assertThat(new HashMap<>(store.load(key))).isEqualTo(new HashMap<>(fromFile.load(key)));
    }
  }
}
