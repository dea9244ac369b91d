package org.popfetch.fetch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A destination could not take a message, and how: {@link #refusal()} is {@link Outcome.Deferred}
 * (the message stays on the server for the next poll) or {@link Outcome.Rejected} (it needs an
 * admin). An exception because the failure can come from deep inside a stream being written;
 * whoever stages a message turns it into an {@link Outcome}.
 */
public final class DeliveryException extends IOException {
  private final Outcome.Refusal refusal;

  private DeliveryException(Outcome.Refusal refusal, Throwable cause) {
    super(refusal.reason(), cause);
    this.refusal = refusal;
  }

  /** A temporary failure: disk full, a lock held, a peer away. */
  public static DeliveryException deferred(String reason) {
    return deferred(reason, null);
  }

  /** A temporary failure, caused by {@code cause}. */
  public static DeliveryException deferred(String reason, Throwable cause) {
    return new DeliveryException(new Outcome.Deferred(reason), cause);
  }

  /** A permanent failure with nothing kept: the message stays on the server. */
  public static DeliveryException rejected(String reason) {
    return rejected(reason, (Throwable) null);
  }

  /** A permanent failure with nothing kept, caused by {@code cause}. */
  public static DeliveryException rejected(String reason, Throwable cause) {
    return new DeliveryException(new Outcome.Rejected(reason, Optional.empty()), cause);
  }

  /**
   * A permanent failure with the message kept for the quarantine.
   *
   * @param rescued a file holding the whole message as it would have been delivered; the receiver
   *     of the exception owns it and deletes it
   */
  public static DeliveryException rejectedWithCopy(String reason, Path rescued) {
    return new DeliveryException(new Outcome.Rejected(reason, Optional.of(rescued)), null);
  }

  /** What kind of failure this was, as an outcome of the attempt. */
  public Outcome.Refusal refusal() {
    return refusal;
  }
}
