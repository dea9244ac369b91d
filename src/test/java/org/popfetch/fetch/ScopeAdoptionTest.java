package org.popfetch.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.store.SqliteSeenUidStore;

/** State of the scope without a port goes to the one account it can belong to, or to none. */
class ScopeAdoptionTest {
  private static final AccountKey OLD = AccountKey.beforePorts("localhost", "u");
  private static final AccountKey ON_1110 = AccountKey.of("localhost", 1110, "u");
  private static final AccountKey ON_1111 = AccountKey.of("localhost", 1111, "u");

  @TempDir Path dir;
  SqliteSeenUidStore store;

  @BeforeEach
  void open() throws IOException {
    store = SqliteSeenUidStore.open("jdbc:sqlite:" + dir.resolve("state.db"));
    store.record(
        OLD,
        List.of(
            new SeenUid("1", UidState.KEPT, Instant.EPOCH, 30),
            new SeenUid("2", UidState.KEPT, Instant.EPOCH, 30)));
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  @Test
  void theOnlyAccountWithThatServerAndUserTakesItOver() throws Exception {
    ScopeAdoption.Report report =
        ScopeAdoption.adopt(
            store,
            List.of(
                new ScopeAdoption.Claim("tunnel", ON_1110, OLD),
                new ScopeAdoption.Claim(
                    "elsewhere",
                    AccountKey.of("pop.example.com", 995, "u"),
                    AccountKey.beforePorts("pop.example.com", "u"))));

    assertThat(report.adopted()).containsExactlyEntriesOf(Map.of("tunnel", 2));
    assertThat(store.load(ON_1110)).containsOnlyKeys("1", "2");
    assertThat(store.load(OLD)).isEmpty();
    assertThat(
            ScopeAdoption.adopt(store, List.of(new ScopeAdoption.Claim("tunnel", ON_1110, OLD)))
                .adopted())
        .as("running it again changes nothing")
        .isEmpty();
  }

  @Test
  void twoAccountsThatCouldOwnItLeaveItAloneAndStartWithoutState() throws Exception {
    ScopeAdoption.Report report =
        ScopeAdoption.adopt(
            store,
            List.of(
                new ScopeAdoption.Claim("a", ON_1110, OLD),
                new ScopeAdoption.Claim("b", ON_1111, OLD)));

    assertThat(report.adopted()).isEmpty();
    assertThat(report.ambiguous()).containsExactly(OLD);
    assertThat(store.load(ON_1110)).isEmpty();
    assertThat(store.load(ON_1111)).isEmpty();
    assertThat(store.load(OLD)).containsOnlyKeys("1", "2");
  }

  @Test
  void anAccountThatNamesTheOldScopeKeepsUsingItAndNoOtherTakesIt() throws Exception {
    ScopeAdoption.Report report =
        ScopeAdoption.adopt(
            store,
            List.of(
                new ScopeAdoption.Claim("a", AccountKey.named(OLD.storageKey()), OLD),
                new ScopeAdoption.Claim("b", ON_1111, OLD)));

    assertThat(report.adopted()).isEmpty();
    assertThat(report.ambiguous()).isEmpty();
    assertThat(store.load(OLD)).containsOnlyKeys("1", "2");
    assertThat(store.load(ON_1111)).isEmpty();
  }

  @Test
  void anAccountWithANamedScopeTakesOverItsOldStateThere() throws Exception {
    AccountKey named = AccountKey.named("work-mailbox");

    ScopeAdoption.adopt(store, List.of(new ScopeAdoption.Claim("work", named, OLD)));

    assertThat(store.load(named)).containsOnlyKeys("1", "2");
  }
}
