package org.popfetch.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.DeliverConfig;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.config.RuleConfig;

/**
 * What {@code config check} warns of in a clustered configuration: an account that delivers to this
 * node's own disk (a Maildir, an mbox, a program), whose mail would then be spread over whichever
 * nodes happened to poll it. Any node may poll any account, so its destination must be one every
 * node reaches: LMTP or SMTP, or a file system all nodes mount.
 */
final class LocalDeliveryWarnings {
  private LocalDeliveryWarnings() {}

  /** One line per local destination, in file order; none when the state is not shared. */
  static List<String> of(PopfetchConfig config) {
    List<String> out = new ArrayList<>();
    if (!config.state().clustered()) {
      return out;
    }
    for (AccountConfig a : config.accounts()) {
      local(a.deliver()).ifPresent(what -> out.add(line(a, what)));
      for (RuleConfig r : a.rules()) {
        for (RuleConfig.Target t : r.deliver()) {
          local(t.destination()).ifPresent(what -> out.add(line(a, what + " (a rule)")));
        }
      }
    }
    return out;
  }

  private static String line(AccountConfig a, String what) {
    return "warning: account "
        + a.name()
        + " delivers to "
        + what
        + " on this node, but in a cluster any node may poll it: its mail ends up on whichever"
        + " node polled it, unless every node mounts the same path; deliver over LMTP or SMTP";
  }

  private static Optional<String> local(DeliverConfig d) {
    if (d instanceof DeliverConfig.Maildir m) {
      return Optional.of("the Maildir " + m.path());
    } else if (d instanceof DeliverConfig.Mbox m) {
      return Optional.of("the mbox " + m.path());
    } else if (d instanceof DeliverConfig.Pipe p) {
      return Optional.of("the program " + p.argv().get(0));
    }
    return Optional.empty();
  }
}
