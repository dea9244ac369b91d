package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.StoreNotOpenedException;
import org.popfetch.fetch.UidState;

/**
 * A store handed out while it opens: calls wait for the open, a failed open fails every call as
 * {@link StoreNotOpenedException} and is told as itself by {@code awaitOpen}, an opening that hangs
 * is given up at its time, and a store that opened is closed once.
 */
class OpeningSeenUidStoreTest {
  static final AccountKey WORK = AccountKey.of("pop.example.com", 995, "alice");

  static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aCallWaitsUntilTheStoreHasOpened() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (OpeningSeenUidStore store =
        OpeningSeenUidStore.start(
            () -> {
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
              return SqliteSeenUidStore.open(dir.resolve("state.db"));
            },
            PATIENCE)) {
      CompletableFuture<Void> write =
          CompletableFuture.runAsync(
              () -> {
                try {
                  store.record(WORK, List.of(new SeenUid("u1", UidState.KEPT, Instant.EPOCH, 10)));
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(store.inMemory(WORK)).isFalse();
      assertThat(write).isNotDone();
      release.countDown();
      write.get(30, TimeUnit.SECONDS);
      assertThat(store.load(WORK)).containsOnlyKeys("u1");
    }
  }

  @Test
  void aFailedOpenFailsEveryCallAndIsToldAsItselfOnce() throws Exception {
    IOException broken = new IOException("cannot open the state store: file is not a database");
    OpeningSeenUidStore store =
        OpeningSeenUidStore.start(
            () -> {
              throw broken;
            },
            PATIENCE);
    assertThatThrownBy(() -> store.loadMark(WORK))
        .isInstanceOf(StoreNotOpenedException.class)
        .hasCause(broken);
    assertThatThrownBy(() -> store.record(WORK, List.of()))
        .isInstanceOf(StoreNotOpenedException.class);
    assertThatThrownBy(store::awaitOpen).isSameAs(broken);
    assertThat(store.failed()).isTrue();
    store.close(); // nothing to close, and the failure is awaitOpen's to tell
  }

  @Test
  void aDriverThatWillNotLoadIsToldAsItself() {
    UnsatisfiedLinkError noLibrary = new UnsatisfiedLinkError("no sqlitejdbc in java.library.path");
    OpeningSeenUidStore store =
        OpeningSeenUidStore.start(
            () -> {
              throw noLibrary;
            },
            PATIENCE);
    assertThatThrownBy(() -> store.load(WORK))
        .isInstanceOf(StoreNotOpenedException.class)
        .hasCause(noLibrary);
    assertThatThrownBy(store::awaitOpen).isSameAs(noLibrary);
  }

  @Test
  void closeClosesTheOpenedStoreOnce() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    SeenUidStore sqlite = SqliteSeenUidStore.open(dir.resolve("state.db"));
    SeenUidStore counting =
        new SeenUidStore() {
          @Override
          public Map<String, SeenUid> load(AccountKey account) throws IOException {
            return sqlite.load(account);
          }

          @Override
          public void record(AccountKey account, Collection<SeenUid> entries) throws IOException {
            sqlite.record(account, entries);
          }

          @Override
          public void forget(AccountKey account, Collection<String> uids) throws IOException {
            sqlite.forget(account, uids);
          }

          @Override
          public int adopt(AccountKey from, AccountKey to) throws IOException {
            return sqlite.adopt(from, to);
          }

          @Override
          public void close() throws IOException {
            closed.incrementAndGet();
            sqlite.close();
          }
        };
    OpeningSeenUidStore store = OpeningSeenUidStore.start(() -> counting, PATIENCE);
    assertThat(store.awaitOpen()).isSameAs(counting);
    assertThat(store.failed()).isFalse();
    store.close();
    store.close();
    assertThat(closed).hasValue(1);
  }

  @Test
  void anOpeningThatHangsIsGivenUpAtItsTimeFailingEveryCallAndInterruptedAtClose()
      throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    OpeningSeenUidStore store =
        OpeningSeenUidStore.start(
            () -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                interrupted.countDown();
              }
              throw new IOException("the opening was interrupted");
            },
            Duration.ofMillis(300));
    assertThatThrownBy(() -> store.loadMark(WORK))
        .isInstanceOf(StoreNotOpenedException.class)
        .hasMessageContaining("still being opened after");
    assertThat(store.failed()).isTrue();
    assertThatThrownBy(store::awaitOpen)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("still being opened after");
    store.close();
    assertThat(interrupted.await(30, TimeUnit.SECONDS)).isTrue();
  }
}
