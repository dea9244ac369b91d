package org.popfetch.migrate;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.popfetch.fetch.SeenUid;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.fetch.UidState;
import org.popfetch.net.LogText;

/**
 * Records what another client remembers as seen by popfetch's accounts: each remembered mailbox
 * goes to every account with its server and user (and, for getmail, port), as {@link
 * UidState#KEPT}, so that a keep-mode poll does not fetch it again and {@code delete-after} counts
 * from when that client first saw it (getmail says; fetchmail and mpop do not, so from now).
 *
 * <p>Idempotent: a UID the account already knows keeps what popfetch knows of it. Each account's
 * new entries go into the store in one transaction.
 */
public final class SeenImport {
  private SeenImport() {}

  /** What was done for one account. */
  public record AccountResult(String account, int imported, int alreadyKnown, List<String> from) {}

  /**
   * What was done: per account, and the mailboxes no account has.
   *
   * @param unmatched one line per remembered mailbox that matched no account: its source, its label
   *     and how many UIDs it held
   */
  public record Report(List<AccountResult> accounts, List<String> unmatched) {}

  /**
   * Matches and records.
   *
   * @param accounts the configuration's accounts to consider (all, or those named)
   * @throws IOException if the store fails; what was recorded for earlier accounts stays
   */
  public static Report record(
      SeenUidStore store,
      List<ImportTarget> accounts,
      List<RememberedMailbox> remembered,
      Instant now)
      throws IOException {
    Map<ImportTarget, List<RememberedMailbox>> byAccount = new LinkedHashMap<>();
    List<String> unmatched = new ArrayList<>();
    for (RememberedMailbox box : remembered) {
      boolean matched = false;
      for (ImportTarget a : accounts) {
        if (box.matches(a.server(), a.port(), a.user())) {
          byAccount.computeIfAbsent(a, k -> new ArrayList<>()).add(box);
          matched = true;
        }
      }
      if (!matched) {
        unmatched.add(
            box.source()
                + ": "
                + box.format().label()
                + " mailbox "
                + LogText.sanitize(box.label(), 200)
                + " ("
                + box.uids().size()
                + " UIDs) matches no account's server and user; not imported");
      }
    }
    List<AccountResult> results = new ArrayList<>();
    for (Map.Entry<ImportTarget, List<RememberedMailbox>> e : byAccount.entrySet()) {
      ImportTarget a = e.getKey();
      Map<String, SeenUid> known = store.load(a.scope());
      Map<String, SeenUid> fresh = new LinkedHashMap<>();
      int already = 0;
      List<String> from = new ArrayList<>();
      for (RememberedMailbox box : e.getValue()) {
        from.add(box.source());
        for (RememberedMailbox.Uid u : box.uids()) {
          if (known.containsKey(u.uid()) || fresh.containsKey(u.uid())) {
            already++;
            continue;
          }
          fresh.put(
              u.uid(),
              new SeenUid(u.uid(), UidState.KEPT, u.since().orElse(now), SeenUid.UNKNOWN_SIZE));
        }
      }
      if (!fresh.isEmpty()) {
        store.record(a.scope(), fresh.values());
      }
      results.add(new AccountResult(a.name(), fresh.size(), already, from));
    }
    return new Report(results, unmatched);
  }
}
