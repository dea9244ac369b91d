package org.popfetch.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.popfetch.fetch.AccountKey;

class SqliteDeliveryLedgerTest {
  private static final AccountKey ALICE = AccountKey.of("pop.example.com", 995, "alice");

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("state/state.db");
  }

  @Test
  void thePartsOfAMessageAreKeptUntilItIsForgotten() throws Exception {
    try (SqliteDeliveryLedger ledger = SqliteDeliveryLedger.at(file())) {
      ledger.recordPart(ALICE, "uid-1", "user alice");
      ledger.recordPart(ALICE, "uid-1", "user bob");
      ledger.recordPart(ALICE, "uid-2", "user alice");
      assertThat(ledger.parts(ALICE, "uid-1")).containsExactlyInAnyOrder("user alice", "user bob");
      ledger.forgetParts(ALICE, List.of("uid-1"));
    }
    try (SqliteDeliveryLedger later = SqliteDeliveryLedger.at(file())) {
      assertThat(later.parts(ALICE, "uid-1")).isEmpty();
      assertThat(later.parts(ALICE, "uid-2")).containsExactly("user alice");
    }
  }

  @Test
  void theLeftoversOfAnEarlierAttemptAreForgottenOnceReadAndDelivered() throws Exception {
    try (SqliteDeliveryLedger crashed = SqliteDeliveryLedger.at(file())) {
      crashed.recordPart(ALICE, "uid-1", "user alice");
    }
    try (SqliteDeliveryLedger retry = SqliteDeliveryLedger.at(file())) {
      // The message goes to several destinations again: their parts are read first.
      assertThat(retry.parts(ALICE, "uid-1")).containsExactly("user alice");
      retry.recordPart(ALICE, "uid-1", "user bob");
      retry.forgetParts(ALICE, List.of("uid-1"));
    }
    try (SqliteDeliveryLedger later = SqliteDeliveryLedger.at(file())) {
      assertThat(later.parts(ALICE, "uid-1")).isEmpty();
    }
  }
}
