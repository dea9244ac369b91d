package org.popfetch.migrate;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One option of a {@code .fetchmailrc} as written: its keyword in fetchmail's canonical spelling
 * ({@code pass} reads as {@code password}, {@code nokeep} as {@code keep} negated), its values and
 * its line.
 */
record RcOption(String name, List<RcToken> args, boolean negated, int line) {
  RcOption {
    args = List.copyOf(args);
  }

  /** The first value's text (callers know the option has one). */
  String value() {
    return args.get(0).text();
  }

  /** The option as the file says it, for a note ("no dropstatus", "envelope 1 X-Original-To"). */
  String shown() {
    String words =
        args.stream()
            .map(t -> t.quoted() ? "\"" + t.text() + "\"" : t.text())
            .collect(Collectors.joining(" "));
    return (negated ? "no " : "") + name + (words.isEmpty() ? "" : " " + words);
  }
}
