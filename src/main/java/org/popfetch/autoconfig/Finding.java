package org.popfetch.autoconfig;

import java.util.List;
import java.util.Optional;

/**
 * What one source said.
 *
 * @param suggestion the server it gives, if any
 * @param tried one line per thing asked and its answer, already escaped for a terminal
 * @param refused true when the source says the domain offers no POP3 at all (an SRV target of ".",
 *     or a provider known to have none): then later sources are not asked
 */
public record Finding(Optional<Suggestion> suggestion, List<String> tried, boolean refused) {
  public Finding {
    tried = List.copyOf(tried);
  }

  static Finding none(List<String> tried) {
    return new Finding(Optional.empty(), tried, false);
  }
}
