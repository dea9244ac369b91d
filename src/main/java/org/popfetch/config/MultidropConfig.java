package org.popfetch.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A multidrop mailbox: one remote mailbox that collects mail for several local users, each message
 * delivered to the users it was meant for.
 *
 * <pre>
 * multidrop:
 *   envelope: [ { header: Delivered-To, skip: 1 }, X-Original-To ]
 *   local-domains: [ example.org ]
 *   map: { "hurkle@example.org": happy, "*@example.org": catchall }
 *   users:
 *     alice: { maildir: /home/alice/Maildir }
 *     happy: { pipe: [ /usr/bin/procmail, -d, happy ] }
 *   postmaster: alice
 *   dedupe: { across-accounts: true, keep: 7d }
 * </pre>
 *
 * @param envelope the headers that carry the envelope recipient, tried in order; empty: the address
 *     fields (Resent-To/Resent-Cc, else To/Cc) only
 * @param stripPrefix removed from the front of the local part of an address read from an envelope
 *     header (fetchmail's qvirtual)
 * @param localDomains domains whose addresses are this mailbox's, matched as suffixes, lower case
 * @param aka other names of this host, matched as suffixes, lower case
 * @param map address ("alice@example.org"), local part ("alice"), a domain's rest ("*@example.org")
 *     or everything local ("*"), lower case, to a name of {@code users}
 * @param users each local user's destination, by name
 * @param postmaster the user that gets what matches nobody; empty: the account's {@code deliver:}
 * @param dedupe suppression of copies already delivered by another account
 */
public record MultidropConfig(
    List<Envelope> envelope,
    Optional<String> stripPrefix,
    List<String> localDomains,
    List<String> aka,
    Map<String, String> map,
    Map<String, DeliverConfig> users,
    Optional<String> postmaster,
    Dedupe dedupe) {
  public MultidropConfig {
    envelope = List.copyOf(envelope);
    localDomains = List.copyOf(localDomains);
    aka = List.copyOf(aka);
    map = Collections.unmodifiableMap(new LinkedHashMap<>(map));
    users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
  }

  /** A header that carries the envelope recipient, and how many of its first instances to skip. */
  public record Envelope(String header, int skip) {}

  /**
   * {@code dedupe: { across-accounts: true, keep: 7d }}.
   *
   * @param acrossAccounts whether a message (by Message-ID) already delivered to a user by any
   *     account is not delivered to that user again
   * @param keep how long a delivery is remembered for that
   */
  public record Dedupe(boolean acrossAccounts, Duration keep) {
    public static final Duration DEFAULT_KEEP = Duration.ofDays(7);
    public static final Dedupe OFF = new Dedupe(false, DEFAULT_KEEP);
  }
}
