package org.popfetch.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.SeenUidStore;

/** The seen-UID contract through the service's store, which keeps what it read in memory. */
class RememberingSeenUidStoreContractTest extends SeenUidStoreContract {
  @TempDir Path dir;

  @Override
  SeenUidStore open() throws Exception {
    return new RememberingSeenUidStore(SqliteSeenUidStore.open(dir.resolve("state.db")), 1_000);
  }
}
