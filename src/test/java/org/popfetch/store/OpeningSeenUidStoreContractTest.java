package org.popfetch.store;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.SeenUidStore;

/** The seen-UID contract through a store handed out while it is being opened. */
class OpeningSeenUidStoreContractTest extends SeenUidStoreContract {
  @TempDir Path dir;

  @Override
  SeenUidStore open() throws Exception {
    return OpeningSeenUidStore.start(
        () -> SqliteSeenUidStore.open(dir.resolve("state.db")), Duration.ofSeconds(30));
  }
}
