package org.popfetch.fetch;

import java.util.List;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;

/**
 * What a destination knows about a message besides its bytes.
 *
 * @param account the account it was fetched for
 * @param envelope the reconstructed envelope
 * @param trace the header fields to put on top
 * @param header the message's own header fields, for routing
 * @param progress which parts of a destination that fans out already have this message
 */
public record Incoming(
    String account,
    Envelope envelope,
    TraceHeaders trace,
    HeaderFields header,
    MessageProgress progress) {
  public Incoming(String account, Envelope envelope, TraceHeaders trace, HeaderFields header) {
    this(account, envelope, trace, header, MessageProgress.NONE);
  }

  public Incoming(String account, Envelope envelope, TraceHeaders trace) {
    this(account, envelope, trace, new HeaderFields(List.of()));
  }

  /** For tests and tools that have no envelope to speak of. */
  public static Incoming of(TraceHeaders trace) {
    return new Incoming("", new Envelope("", ""), trace);
  }

  public Incoming withTrace(TraceHeaders newTrace) {
    return new Incoming(account, envelope, newTrace, header, progress);
  }

  /** This message for one part of a destination that fans out: its envelope, trace, progress. */
  public Incoming forPart(Envelope newEnvelope, TraceHeaders newTrace, MessageProgress part) {
    return new Incoming(account, newEnvelope, newTrace, header, part);
  }
}
