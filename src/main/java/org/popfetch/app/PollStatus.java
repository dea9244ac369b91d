package org.popfetch.app;

import java.util.List;
import org.popfetch.fetch.PollResult;

/** The one exit status for a pass over several accounts ({@code popfetch poll}). */
final class PollStatus {
  private PollStatus() {}

  /**
   * The status of the first account (in the order given) whose poll failed; else {@link
   * ExitStatus#DELIVERY} if any message was quarantined, {@link ExitStatus#MAIL} if any was
   * fetched, {@link ExitStatus#NO_MAIL} if none.
   */
  static ExitStatus of(List<PollResult> results) {
    for (PollResult r : results) {
      if (r.failure().isPresent()) {
        return ExitStatus.of(r.failure().get().kind());
      }
    }
    if (results.stream().anyMatch(r -> r.quarantined() > 0)) {
      return ExitStatus.DELIVERY; // kept safe, but a destination refused mail: someone must look
    }
    return results.stream().anyMatch(r -> r.fetched() > 0) ? ExitStatus.MAIL : ExitStatus.NO_MAIL;
  }
}
