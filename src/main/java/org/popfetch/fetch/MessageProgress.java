package org.popfetch.fetch;

import java.io.IOException;
import java.util.Set;

/**
 * Which parts of one message already have it, kept durably: how a destination that hands one
 * message to several others (a multidrop mailbox's users, a rule's destinations) skips, when the
 * message is tried again, those that took it the last time. A part is a name the destination gives
 * it ("user alice", "route pipe /usr/bin/procmail").
 */
public interface MessageProgress {
  /** Remembers nothing: every part is delivered each time. */
  MessageProgress NONE =
      new MessageProgress() {
        @Override
        public boolean isDone(String part) {
          return false;
        }

        @Override
        public void done(String part) {}
      };

  /**
   * Whether this part already has the message.
   *
   * @throws DeliveryException (deferred) if the record cannot be read: try the message later
   */
  boolean isDone(String part) throws DeliveryException;

  /**
   * Records, durably, that this part has the message; call it only once the part's copy is durable.
   *
   * @throws DeliveryException (deferred) if it cannot be recorded; the part may then get the
   *     message again when it is tried again
   */
  void done(String part) throws DeliveryException;

  /** The parts of one part, each named under {@code prefix}: for a destination within a part. */
  default MessageProgress within(String prefix) {
    MessageProgress outer = this;
    return new MessageProgress() {
      @Override
      public boolean isDone(String part) throws DeliveryException {
        return outer.isDone(prefix + part);
      }

      @Override
      public void done(String part) throws DeliveryException {
        outer.done(prefix + part);
      }
    };
  }

  /** The progress of the message {@code uid} of {@code account}, in the ledger. */
  static MessageProgress of(DeliveryLedger ledger, AccountKey account, String uid) {
    return new MessageProgress() {
      private Set<String> done;

      @Override
      public boolean isDone(String part) throws DeliveryException {
        if (done == null) {
          try {
            done = ledger.parts(account, uid);
          } catch (IOException e) {
            throw DeliveryException.deferred(
                "cannot read what was delivered of this message: " + e.getMessage(), e);
          }
        }
        return done.contains(part);
      }

      @Override
      public void done(String part) throws DeliveryException {
        try {
          ledger.recordPart(account, uid, part);
        } catch (IOException e) {
          throw DeliveryException.deferred(
              "cannot record that " + part + " has the message: " + e.getMessage(), e);
        }
      }
    };
  }
}
