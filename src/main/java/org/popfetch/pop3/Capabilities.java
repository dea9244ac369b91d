package org.popfetch.pop3;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the server said it can do, from CAPA (RFC 2449). Names are matched without regard to case
 * ("stls" counts as STLS), as the RFC says and as some servers need.
 *
 * @param advertised false if the server does not support CAPA; then nothing is known and optional
 *     commands must be tried
 * @param entries capability name (upper case) to its arguments
 */
public record Capabilities(boolean advertised, Map<String, List<String>> entries) {
  public static final Capabilities UNKNOWN = new Capabilities(false, Map.of());

  public Capabilities {
    entries = Map.copyOf(entries);
  }

  static Capabilities parse(List<String> lines) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String line : lines) {
      String[] words = line.strip().split("\\s+");
      if (words.length == 0 || words[0].isEmpty()) {
        continue;
      }
      map.put(
          words[0].toUpperCase(Locale.ROOT), List.of(Arrays.copyOfRange(words, 1, words.length)));
    }
    return new Capabilities(true, map);
  }

  public boolean has(String name) {
    return entries.containsKey(name.toUpperCase(Locale.ROOT));
  }

  public List<String> arguments(String name) {
    return entries.getOrDefault(name.toUpperCase(Locale.ROOT), List.of());
  }

  public boolean pipelining() {
    return has("PIPELINING");
  }

  public boolean stls() {
    return has("STLS");
  }

  /** SASL mechanisms offered, upper case. */
  public Set<String> saslMechanisms() {
    Set<String> out = new LinkedHashSet<>();
    for (String m : arguments("SASL")) {
      out.add(m.toUpperCase(Locale.ROOT));
    }
    return out;
  }

  /** LOGIN-DELAY in seconds, if advertised with a number. */
  public OptionalLong loginDelaySeconds() {
    List<String> args = arguments("LOGIN-DELAY");
    if (args.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(args.get(0)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** EXPIRE's argument: days, or "NEVER". "0" means the server deletes what was retrieved. */
  public Optional<String> expire() {
    List<String> args = arguments("EXPIRE");
    return args.isEmpty() ? Optional.empty() : Optional.of(args.get(0));
  }

  public Optional<String> implementation() {
    List<String> args = arguments("IMPLEMENTATION");
    return args.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", args));
  }
}
