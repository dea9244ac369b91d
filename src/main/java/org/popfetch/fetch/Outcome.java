package org.popfetch.fetch;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a destination's attempt at one message ended: {@link Delivered} (staged, to be made durable
 * by the batch's commit), {@link Deferred} (a temporary failure: the message stays on the server
 * and is tried again by a later poll) or {@link Rejected} (for good: into the quarantine when the
 * destination rescued a copy, else left on the server for an admin).
 */
public sealed interface Outcome permits Outcome.Delivered, Outcome.Refusal {

  /** The destination took the message; it is durable once the batch is committed. */
  record Delivered(Destination.Staged staged) implements Outcome {
    public Delivered {
      Objects.requireNonNull(staged, "staged");
    }
  }

  /** The destination did not take the message; the reason is the destination's own words. */
  sealed interface Refusal extends Outcome permits Deferred, Rejected {
    String reason();
  }

  /** Temporary (disk full, a locked mailbox, MDA exit 75): tried again by the next poll. */
  record Deferred(String reason) implements Refusal {
    public Deferred {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Permanent (the MDA refused the message, a link where a mailbox should be).
   *
   * @param rescued a file holding the whole message as it would have been delivered, for the
   *     quarantine; whoever handles the refusal owns it and deletes it. Without one the message
   *     stays on the server.
   */
  record Rejected(String reason, Optional<Path> rescued) implements Refusal {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(rescued, "rescued");
    }
  }
}
