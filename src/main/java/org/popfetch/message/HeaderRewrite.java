package org.popfetch.message;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What popfetch changes in the header of a message it delivers: which of its own trace fields it
 * adds, and which of the message's fields it leaves out. The same for every destination.
 *
 * @param received add a {@code Received:} field for the fetch (fetchmail's {@code invisible} is
 *     {@code false})
 * @param deliveredTo add a {@code Delivered-To:} field naming the mailbox
 * @param dropDeliveredTo remove every {@code Delivered-To:} field the message came with
 *     (fetchmail's {@code dropdelivered}): the provider's, and any from earlier hops
 * @param dropStatus remove {@code Status:}, {@code X-Status:} and {@code X-Mozilla-Status:}, the
 *     read and answered flags a server or an earlier client wrote (fetchmail's {@code dropstatus}
 *     removes Status and X-Mozilla-Status; X-Status carries the same kind of flags for mbox
 *     readers)
 */
public record HeaderRewrite(
    boolean received, boolean deliveredTo, boolean dropDeliveredTo, boolean dropStatus) {
  /** Both trace fields added, nothing removed. */
  public static final HeaderRewrite DEFAULT = new HeaderRewrite(true, true, false, false);

  /** The status fields {@code dropStatus} removes, lower case. */
  public static final List<String> STATUS_FIELDS =
      List.of("status", "x-status", "x-mozilla-status");

  /** The message's own fields to leave out, lower case, for {@link HeaderFields#read}. */
  public Set<String> removedFields() {
    Set<String> names = new LinkedHashSet<>();
    if (dropDeliveredTo) {
      names.add("delivered-to");
    }
    if (dropStatus) {
      names.addAll(STATUS_FIELDS);
    }
    return Set.copyOf(names);
  }

  /** The trace fields of {@code full} that are switched on. */
  public TraceHeaders trace(TraceHeaders full) {
    if (received && deliveredTo) {
      return full;
    }
    return new TraceHeaders(
        full.fields().stream()
            .filter(f -> wanted(f.substring(0, Math.max(0, f.indexOf(':')))))
            .toList());
  }

  private boolean wanted(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "received" -> received;
      case "delivered-to" -> deliveredTo;
      default -> true;
    };
  }
}
