package org.popfetch.fetch;

import java.util.List;

/**
 * What the rules say of one message, from its header fields and its size: fetch it (and where it
 * goes), leave it on the server, delete it there without fetching it, or treat it as too large. The
 * same verdict decides a poll and {@code popfetch explain}.
 */
public sealed interface Verdict {
  /** Which rule said so, as explain prints it ("rule 2: List-Id ~ ..."), or "" for none. */
  String rule();

  /**
   * Fetch and deliver.
   *
   * @param destinations where it goes, as each destination describes itself
   */
  record Fetch(String rule, List<String> destinations) implements Verdict {
    public Fetch {
      destinations = List.copyOf(destinations);
    }
  }

  /** Leave on the server, not recorded: every poll decides it again, so a changed rule counts. */
  record Skip(String rule) implements Verdict {}

  /** Delete on the server without fetching it. */
  record Delete(String rule) implements Verdict {}

  /** Larger than the rule's max-size ({@code limit} octets): {@code action} says what follows. */
  record Oversize(String rule, long limit, OversizeAction action) implements Verdict {}
}
