package org.popfetch.migrate;

import java.util.List;
import java.util.Optional;

/**
 * A parsed {@code .fetchmailrc}: its global {@code set} options and its poll entries, each with the
 * {@code defaults} entries before it already applied (their options come first, so the entry's own
 * win).
 */
record FetchmailRc(List<RcOption> settings, List<Poll> polls) {
  FetchmailRc {
    settings = List.copyOf(settings);
    polls = List.copyOf(polls);
  }

  /**
   * One {@code poll} or {@code skip} entry.
   *
   * @param name the name after poll (the server, unless {@code via} names another)
   * @param skip written as {@code skip}: polled only when named on fetchmail's command line
   * @param options its server options, in order
   * @param users its user entries; at least one (fetchmail's implicit one if none was written)
   */
  record Poll(String name, boolean skip, int line, List<RcOption> options, List<User> users) {
    Poll {
      options = List.copyOf(options);
      users = List.copyOf(users);
    }

    /** The last option of this name, if any (a later one overrides an earlier). */
    Optional<RcOption> last(String option) {
      return lastOf(options, option);
    }
  }

  /**
   * One user entry: {@code user REMOTE there is LOCAL... here} and its options.
   *
   * @param remote the login name, empty where the file names none (fetchmail then uses the local
   *     login name)
   * @param locals the local names after {@code is}/{@code to}, {@code *} included as written
   * @param mapped {@code remote = local} pairs of a multidrop name list
   */
  record User(
      int line,
      Optional<String> remote,
      List<String> locals,
      List<String> mapped,
      List<RcOption> options) {
    User {
      locals = List.copyOf(locals);
      mapped = List.copyOf(mapped);
      options = List.copyOf(options);
    }

    /** Several local names, a {@code *} or a mapping: fetchmail's multidrop mode. */
    boolean multidrop() {
      return locals.size() > 1 || locals.contains("*") || !mapped.isEmpty();
    }

    Optional<RcOption> last(String option) {
      return lastOf(options, option);
    }
  }

  private static Optional<RcOption> lastOf(List<RcOption> options, String name) {
    RcOption found = null;
    for (RcOption o : options) {
      if (o.name().equals(name)) {
        found = o;
      }
    }
    return Optional.ofNullable(found);
  }
}
