package org.popfetch.multidrop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a multidrop message's recipient addresses to local users, as fetchmail's multidrop does.
 *
 * <p>For each address, in this order: an entry for the whole address in the map (it wins whatever
 * its domain); then, if its domain is local (one of {@code local-domains} or {@code aka}, or a
 * subdomain of one), an entry for its local part, a user of that name, the domain's wildcard
 * ("*@example.org"), the wildcard for every local domain ("*"). An address that matches nothing, or
 * that is not local, is for nobody here. Names compare ignoring case.
 *
 * <p>The prefix to strip (fetchmail's qvirtual) applies to addresses that came from an envelope
 * header: "example-alice@provider.net" with prefix "example-" is looked up as "alice@..." .
 */
public final class RecipientMap {
  private final Set<String> localDomains;
  private final Map<String, String> map;
  private final Set<String> users;
  private final Optional<String> stripPrefix;

  /**
   * @param localDomains local domains and this host's other names (aka), lower case
   * @param map address, local part, "*@domain" or "*" (lower case) to a user of {@code users}
   * @param users the local users' names, lower case
   * @param stripPrefix removed from the front of a local part read from an envelope header
   */
  public RecipientMap(
      Set<String> localDomains,
      Map<String, String> map,
      Set<String> users,
      Optional<String> stripPrefix) {
    this.localDomains = Set.copyOf(localDomains);
    this.map = Map.copyOf(map);
    this.users = Set.copyOf(users);
    this.stripPrefix = stripPrefix.map(p -> p.toLowerCase(Locale.ROOT));
  }

  /** One local user a message is for, with the address it was written to. */
  public record Local(String user, String address) {}

  /**
   * The local users of these addresses, each once, in the order of their first address.
   *
   * @param fromEnvelope whether the addresses came from an envelope header (the prefix to strip
   *     applies only to those)
   */
  public List<Local> users(List<String> addresses, boolean fromEnvelope) {
    Map<String, Local> out = new LinkedHashMap<>();
    for (String a : addresses) {
      user(a, fromEnvelope).ifPresent(u -> out.putIfAbsent(u, new Local(u, a)));
    }
    return new ArrayList<>(out.values());
  }

  /** The local user of one address, if any. */
  public Optional<String> user(String address, boolean fromEnvelope) {
    String a = address.toLowerCase(Locale.ROOT);
    int at = a.lastIndexOf('@');
    if (at <= 0) {
      return Optional.empty();
    }
    String local = a.substring(0, at);
    String domain = a.substring(at + 1);
    if (fromEnvelope && stripPrefix.isPresent() && local.startsWith(stripPrefix.get())) {
      local = local.substring(stripPrefix.get().length());
      if (local.isEmpty()) {
        return Optional.empty();
      }
    }
    String whole = local + "@" + domain;
    if (map.containsKey(whole)) {
      return Optional.of(map.get(whole));
    }
    if (!isLocal(domain)) {
      return Optional.empty();
    }
    if (map.containsKey(local)) {
      return Optional.of(map.get(local));
    }
    if (users.contains(local)) {
      return Optional.of(local);
    }
    for (String d = domain; ; d = d.substring(d.indexOf('.') + 1)) {
      String wildcard = map.get("*@" + d);
      if (wildcard != null) {
        return Optional.of(wildcard);
      }
      if (d.indexOf('.') < 0) {
        break;
      }
    }
    return Optional.ofNullable(map.get("*"));
  }

  /** Whether the domain is a local one or a subdomain of one. */
  boolean isLocal(String domain) {
    for (String d = domain; ; d = d.substring(d.indexOf('.') + 1)) {
      if (localDomains.contains(d)) {
        return true;
      }
      if (d.indexOf('.') < 0) {
        return false;
      }
    }
  }
}
