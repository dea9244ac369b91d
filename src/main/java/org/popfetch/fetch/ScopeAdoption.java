package org.popfetch.fetch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands state stored under the scope of earlier versions ("user@server", without the port) to the
 * account it belongs to, so that an upgrade does not deliver every kept message again
 * (docs/adr/0003-uid-scope-with-port.md).
 *
 * <p>Such state is adopted only when exactly one configured account has that server and user, and
 * only if that account has no state of its own yet. When several accounts have them, the old
 * records may be any one's, or a mix (the very sharing the port now prevents); giving them to the
 * wrong mailbox could make its new mail look delivered, and delete it unread. So they are left
 * alone and the admin is told how to give them to the right account ({@code uid-scope}). Those
 * accounts start without state: kept mail may be delivered again, none is lost.
 */
public final class ScopeAdoption {
  private static final Logger LOG = LoggerFactory.getLogger(ScopeAdoption.class);

  /**
   * An account's claim on old state.
   *
   * @param account its name, for the log
   * @param scope where its state is stored now
   * @param beforePorts where an earlier version stored it
   */
  public record Claim(String account, AccountKey scope, AccountKey beforePorts) {}

  /**
   * What was done.
   *
   * @param adopted per account name, how many entries it took over
   * @param ambiguous old scopes with entries that fit more than one account, left as they are
   */
  public record Report(Map<String, Integer> adopted, List<AccountKey> ambiguous) {}

  private ScopeAdoption() {}

  /**
   * Adopts what can be adopted without doubt; each account's adoption is one transaction. Running
   * it again changes nothing.
   *
   * @param claims every configured account, not only those about to be polled: a second account
   *     with the same server and user makes the old state ambiguous even when it is not polled now
   * @throws IOException if the store fails; what was adopted before stays adopted
   */
  public static Report adopt(SeenUidStore store, List<Claim> claims) throws IOException {
    Map<AccountKey, List<Claim>> byOldScope = new LinkedHashMap<>();
    for (Claim c : claims) {
      byOldScope.computeIfAbsent(c.beforePorts(), k -> new ArrayList<>()).add(c);
    }
    Map<String, Integer> adopted = new LinkedHashMap<>();
    List<AccountKey> ambiguous = new ArrayList<>();
    for (Map.Entry<AccountKey, List<Claim>> e : byOldScope.entrySet()) {
      AccountKey old = e.getKey();
      List<Claim> fitting = e.getValue();
      if (claims.stream().anyMatch(c -> c.scope().equals(old))) {
        continue; // an account uses that scope as it is (uid-scope names it)
      }
      if (fitting.size() == 1) {
        Claim only = fitting.get(0);
        int moved = store.adopt(old, only.scope());
        if (moved > 0) {
          adopted.put(only.account(), moved);
          LOG.info(
              "{}: took over the state of {} seen message(s) stored under {} by an earlier version",
              only.account(),
              moved,
              LogText.sanitize(old.storageKey()));
        }
      } else if (!store.load(old).isEmpty()) {
        ambiguous.add(old);
        LOG.warn(
            "state stored under {} by an earlier version fits accounts {}, which are different"
                + " scopes now; it is left alone and they start without it (kept mail may be"
                + " delivered again). If it belongs to one of them, give that account uid-scope:"
                + " \"{}\"",
            LogText.sanitize(old.storageKey()),
            fitting.stream().map(Claim::account).toList(),
            LogText.sanitize(old.storageKey()));
      }
    }
    return new Report(adopted, ambiguous);
  }
}
