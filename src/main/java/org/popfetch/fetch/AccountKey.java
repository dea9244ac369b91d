package org.popfetch.fetch;

import java.util.Locale;

/**
 * The scope of a mailbox's unique-ids: RFC 1939 promises them per maildrop, so the same UID in
 * another maildrop is another message, and a store must never let one maildrop's records stand for
 * another's (docs/adr/0003-uid-scope-with-port.md).
 *
 * <p>By default the scope is the server name (lower-cased), the port and the user, which is what
 * popfetch can see of a maildrop: two tunnels on localhost with the same user on two ports are two
 * scopes. An admin may name a scope instead (the account's {@code uid-scope}), to keep an account's
 * state when it moves to another port.
 *
 * @param storageKey the scope as stored: "user@server:port", or the name the admin gave
 */
public record AccountKey(String storageKey) {
  public AccountKey {
    if (storageKey.isEmpty()) {
      throw new IllegalArgumentException("an empty UID scope");
    }
  }

  /** The scope of a user's maildrop on a server and port. */
  public static AccountKey of(String server, int port, String user) {
    return new AccountKey(user + "@" + server.toLowerCase(Locale.ROOT) + ":" + port);
  }

  /** A scope the admin named. */
  public static AccountKey named(String scope) {
    return new AccountKey(scope);
  }

  /**
   * The scope the same account had before scopes included the port ("user@server", ADR 0002), under
   * which older state may still be stored.
   */
  public static AccountKey beforePorts(String server, String user) {
    return new AccountKey(user + "@" + server.toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return storageKey;
  }

  // equals and hashCode written out, as the record would make them: the record's own are linked
  // through invokedynamic at their first call, which spins method-handle classes at every start
  // of a one-shot poll (docs/benchmarks.md, "One-shot poll: where the start-up goes").
  @Override
  public boolean equals(Object o) {
    return o instanceof AccountKey k && storageKey.equals(k.storageKey);
  }

  @Override
  public int hashCode() {
    return storageKey.hashCode();
  }
}
