package org.popfetch.testing;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.DeliveryLedger;

/** A delivery ledger in memory, for tests: "durable" for the life of the object. */
public final class MemoryLedger implements DeliveryLedger {
  private final Map<String, Set<String>> parts = new HashMap<>();
  private final Map<String, Instant> ids = new HashMap<>();

  @Override
  public synchronized Set<String> parts(AccountKey account, String uid) {
    return Set.copyOf(parts.getOrDefault(account.storageKey() + '\0' + uid, Set.of()));
  }

  @Override
  public synchronized void recordPart(AccountKey account, String uid, String part) {
    parts.computeIfAbsent(account.storageKey() + '\0' + uid, k -> new HashSet<>()).add(part);
  }

  @Override
  public synchronized void forgetParts(AccountKey account, Collection<String> uids) {
    uids.forEach(u -> parts.remove(account.storageKey() + '\0' + u));
  }

  /** How many messages have parts recorded. */
  public synchronized int messagesWithParts() {
    return parts.size();
  }

  @Override
  public synchronized boolean delivered(String messageId, String recipient, Instant since) {
    Instant at = ids.get(messageId + '\0' + recipient);
    return at != null && !at.isBefore(since);
  }

  @Override
  public synchronized void recordDelivered(String messageId, String recipient, Instant at) {
    ids.put(messageId + '\0' + recipient, at);
  }

  @Override
  public synchronized void purgeDelivered(Instant before) {
    ids.values().removeIf(at -> at.isBefore(before));
  }

  @Override
  public void close() {}
}
