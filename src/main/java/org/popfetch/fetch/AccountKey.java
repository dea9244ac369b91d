package org.popfetch.fetch;

import java.util.Locale;

/**
 * The scope of a mailbox's unique-ids: RFC 1939 promises them per maildrop, so the same UID on
 * another server or for another user is another message.
 *
 * <p>The port is deliberately not part of the scope: one maildrop served on 110 and 995 is the
 * same maildrop, and an admin who moves an account to implicit TLS must not get every kept
 * message again (docs/adr/0002-uid-scope.md).
 */
public record AccountKey(String server, String user) {
  public AccountKey {
    server = server.toLowerCase(Locale.ROOT);
  }

  /** A stable text form for storage: "user@server". */
  public String storageKey() {
    return user + "@" + server;
  }
}
