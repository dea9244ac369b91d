package org.popfetch.config;

import java.util.List;

/**
 * One routing rule of an account.
 *
 * <pre>
 * rules:
 *   - match: { header: List-Id, glob: "*&lt;dev.lists.example.net&gt;*" }
 *     deliver: { maildir: /home/alice/Maildir, folder: Lists.dev }
 *   - match: { recipient: { is: bob@example.org } }
 *     deliver: [ { mbox: /var/mail/bob }, { pipe: [/usr/bin/procmail, -d, bob] } ]
 * </pre>
 *
 * @param source "header", "recipient" or "sender"
 * @param header the header field's name, for source "header"
 * @param kind "is", "glob" or "regex"
 * @param pattern what to compare with
 * @param deliver one or more destinations; a maildir may name a Maildir++ folder
 */
public record RuleConfig(String source, String header, String kind, String pattern, List<Target> deliver) {
  public RuleConfig {
    deliver = List.copyOf(deliver);
  }

  /** A destination of a rule, with the Maildir++ folder ("" for the Maildir itself). */
  public record Target(DeliverConfig destination, String folder) {}
}
