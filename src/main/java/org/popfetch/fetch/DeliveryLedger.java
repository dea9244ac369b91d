package org.popfetch.fetch;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * What popfetch remembers, durably, about deliveries within a message and across messages: which
 * parts of a message (its users in a multidrop mailbox, the destinations of a rule) already have
 * it, so that a message tried again is not given twice to those; and, for the opt-in dedupe, which
 * Message-ID each recipient was given.
 *
 * <p>Every write is durable when the call returns. Implementations are safe for use by several
 * accounts' polls at once.
 */
public interface DeliveryLedger extends AutoCloseable {
  /** Remembers nothing: every part is delivered each time (for tests and tools). */
  DeliveryLedger NONE =
      new DeliveryLedger() {
        @Override
        public Set<String> parts(AccountKey account, String uid) {
          return Set.of();
        }

        @Override
        public void recordPart(AccountKey account, String uid, String part) {}

        @Override
        public void forgetParts(AccountKey account, Collection<String> uids) {}

        @Override
        public boolean delivered(String messageId, String recipient, Instant since) {
          return false;
        }

        @Override
        public void recordDelivered(String messageId, String recipient, Instant at) {}

        @Override
        public void purgeDelivered(Instant before) {}

        @Override
        public void close() {}
      };

  /** The parts of one message that already have it. */
  Set<String> parts(AccountKey account, String uid) throws IOException;

  /** Records that one part of a message has it. */
  void recordPart(AccountKey account, String uid, String part) throws IOException;

  /** Forgets the parts of these messages (they are recorded as delivered as a whole). */
  void forgetParts(AccountKey account, Collection<String> uids) throws IOException;

  /** Whether the message with this Message-ID was given to this recipient at or after since. */
  boolean delivered(String messageId, String recipient, Instant since) throws IOException;

  /** Records that the message with this Message-ID was given to this recipient. */
  void recordDelivered(String messageId, String recipient, Instant at) throws IOException;

  /** Forgets Message-IDs given before this. */
  void purgeDelivered(Instant before) throws IOException;

  @Override
  void close() throws IOException;
}
