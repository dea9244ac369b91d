package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.popfetch.store.RememberingSeenUidStore;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.testing.ScriptedServer;

/**
 * Every listing-mark poll again through the store the service uses, which keeps the entries and the
 * mark in memory between polls; after each test, memory holds what the file holds (the mark's count
 * of polls after it may be ahead of the file's, the mark itself may not).
 */
class ListingShortcutPollRememberingStoreTest extends ListingShortcutPollTest {
  private Path file;
  private final AtomicInteger markWrites = new AtomicInteger();

  @Override
  SeenUidStore openStore(Path file) throws IOException {
    this.file = file;
    return new RememberingSeenUidStore(new MarkWritesCounted(SqliteSeenUidStore.open(file)), 1_000);
  }

  @AfterEach
  void memoryHoldsWhatTheFileHolds() throws IOException {
    try (SqliteSeenUidStore fromFile = SqliteSeenUidStore.open(file)) {
      assertThat(new HashMap<>(store.load(key()))).isEqualTo(new HashMap<>(fromFile.load(key())));
      Optional<ListingMark> inMemory = store.loadMark(key());
      Optional<ListingMark> inFile = fromFile.loadMark(key());
      assertThat(inMemory.map(m -> m.position() + " " + m.uid()))
          .isEqualTo(inFile.map(m -> m.position() + " " + m.uid()));
      inMemory.ifPresent(
          m -> assertThat(m.shortcuts()).isGreaterThanOrEqualTo(inFile.get().shortcuts()));
    }
  }

  @Test
  void pollsThatFindNothingNewWriteNoMarkAndTheWholeListingStillComesInTurn() throws Exception {
    int before = 0;
    // full-listing-every 4: three polls after the mark, then the whole listing.
    for (int i = 1; i <= 3; i++) {
      try (ScriptedServer server =
          server(
              c -> {
                loggedIn(c);
                afterMark(c, KEPT, uids(KEPT));
                c.expect("QUIT");
                c.send("+OK");
              })) {
        if (i == 1) {
          keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
          before = markWrites.get();
        }
        assertThat(poll(server, keep()).failure()).isEmpty();
        server.awaitScript();
      }
      assertThat(store.loadMark(key())).contains(new ListingMark(KEPT, "uid-" + KEPT, i));
    }
    assertThat(markWrites.get())
        .as("mark writes of the polls that found nothing")
        .isEqualTo(before);
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              wholeListing(c, uids(KEPT));
              c.expect("QUIT");
              c.send("+OK");
            })) {
      assertThat(poll(server, keep()).failure()).isEmpty();
      server.awaitScript();
    }
    assertThat(markWrites.get()).as("removed, then left anew").isEqualTo(before + 2);
    try (SqliteSeenUidStore fromFile = SqliteSeenUidStore.open(file)) {
      assertThat(fromFile.loadMark(key())).contains(new ListingMark(KEPT, "uid-" + KEPT, 0));
    }
  }

  @Test
  void aMarkThatMovesIsWrittenThrough() throws Exception {
    int before;
    try (ScriptedServer server =
        server(
            c -> {
              loggedIn(c);
              afterMark(c, KEPT, uids(KEPT + 1));
              retr(c, KEPT + 1, KEPT + 1);
              c.expect("QUIT");
              c.send("+OK");
            })) {
      keptBefore(KEPT, Optional.of(new ListingMark(KEPT, "uid-" + KEPT, 0)));
      before = markWrites.get();
      PollResult r = poll(server, keep());
      server.awaitScript();
      assertThat(r.failure()).isEmpty();
      assertThat(r.fetched()).isEqualTo(1);
    }
    assertThat(markWrites.get()).isEqualTo(before + 1);
    try (SqliteSeenUidStore fromFile = SqliteSeenUidStore.open(file)) {
      assertThat(fromFile.loadMark(key()))
          .contains(new ListingMark(KEPT + 1, "uid-" + (KEPT + 1), 1));
    }
  }

  /** The file's store, counting the marks written to it. */
  private final class MarkWritesCounted implements SeenUidStore {
    private final SeenUidStore file;

    MarkWritesCounted(SeenUidStore file) {
      this.file = file;
    }

    @Override
    public Map<String, SeenUid> load(AccountKey account) throws IOException {
      return file.load(account);
    }

    @Override
    public Map<String, SeenUid> load(AccountKey account, Collection<String> uids)
        throws IOException {
      return file.load(account, uids);
    }

    @Override
    public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
      file.record(account, entries);
    }

    @Override
    public void forget(AccountKey account, Collection<String> uids) throws IOException {
      file.forget(account, uids);
    }

    @Override
    public int adopt(AccountKey from, AccountKey to) throws IOException {
      return file.adopt(from, to);
    }

    @Override
    public Optional<ListingMark> loadMark(AccountKey account) throws IOException {
      return file.loadMark(account);
    }

    @Override
    public void storeMark(AccountKey account, Optional<ListingMark> mark) throws IOException {
      markWrites.incrementAndGet();
      file.storeMark(account, mark);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
