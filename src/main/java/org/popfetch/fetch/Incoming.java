package org.popfetch.fetch;

import org.popfetch.message.Envelope;
import org.popfetch.message.TraceHeaders;

/**
 * What a destination knows about a message besides its bytes.
 *
 * @param account the account it was fetched for
 * @param envelope the reconstructed envelope
 * @param trace the header fields to put on top
 */
public record Incoming(String account, Envelope envelope, TraceHeaders trace) {
  /** For tests and tools that have no envelope to speak of. */
  public static Incoming of(TraceHeaders trace) {
    return new Incoming("", new Envelope("", ""), trace);
  }
}
