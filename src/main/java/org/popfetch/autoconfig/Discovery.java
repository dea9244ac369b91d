package org.popfetch.autoconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Asks the sources in order (SRV, then autoconfig, then the built-in table) and stops at the first
 * that gives a server, or that says the domain offers no POP3.
 */
public final class Discovery {
  private final List<Function<EmailAddress, Finding>> sources;

  public Discovery(List<Function<EmailAddress, Finding>> sources) {
    this.sources = List.copyOf(sources);
  }

  /** The standard order: SRV records, the autoconfig document, the table. */
  public static Discovery standard(SrvLookup srv, AutoconfigLookup autoconfig) {
    return new Discovery(List.of(srv::find, autoconfig::find, ProviderTable::find));
  }

  /**
   * The outcome.
   *
   * @param suggestion the server found, if any
   * @param tried every source asked and what it said, in order, escaped
   */
  public record Outcome(Optional<Suggestion> suggestion, List<String> tried) {}

  /** Never throws. */
  public Outcome find(EmailAddress address) {
    List<String> tried = new ArrayList<>();
    for (Function<EmailAddress, Finding> source : sources) {
      Finding f = source.apply(address);
      tried.addAll(f.tried());
      if (f.suggestion().isPresent() || f.refused()) {
        return new Outcome(f.suggestion(), tried);
      }
    }
    return new Outcome(Optional.empty(), tried);
  }
}
