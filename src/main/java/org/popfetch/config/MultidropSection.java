package org.popfetch.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.popfetch.config.YamlReader.Entry;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an account's {@code multidrop:} block: where recipients come from, which addresses are
 * local, how they map to users, each user's destination (a {@code deliver:} block), the postmaster
 * and the dedupe window.
 */
final class MultidropSection {
  private static final List<String> MULTIDROP_KEYS =
      List.of(
          "envelope",
          "strip-prefix",
          "local-domains",
          "aka",
          "map",
          "users",
          "postmaster",
          "dedupe");
  private static final List<String> ENVELOPE_KEYS = List.of("header", "skip");
  private static final List<String> DEDUPE_KEYS = List.of("across-accounts", "keep");

  /**
   * A domain or host name: letters, digits, "-" and "." (a leading "." is allowed, and dropped).
   */
  private static final Pattern DOMAIN = Pattern.compile("\\.?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*");

  /** A map key: an address, a local part, "*@domain" or "*"; printable ASCII, no space. */
  private static final Pattern MAP_KEY = Pattern.compile("[!-~]{1,254}");

  private final AccountValues yaml;
  private final DeliverSection destinations;

  MultidropSection(AccountValues yaml, DeliverSection destinations) {
    this.yaml = yaml;
    this.destinations = destinations;
  }

  MultidropConfig read(Node v, String path) throws ConfigException {
    Map<String, Entry> m = yaml.mapping(v, path, MULTIDROP_KEYS);
    Entry usersAt = m.get("users");
    if (usersAt == null) {
      throw yaml.error(
          path,
          YamlReader.line(v),
          "a multidrop mailbox needs users: (each local user's deliver:)");
    }
    Map<String, DeliverConfig> users = users(usersAt);
    List<MultidropConfig.Envelope> envelope =
        m.containsKey("envelope") ? envelope(m.get("envelope")) : List.of();
    Optional<String> strip = Optional.empty();
    if (m.containsKey("strip-prefix")) {
      Entry e = m.get("strip-prefix");
      String prefix = yaml.nonBlank(e.value(), e.path()).strip();
      if (!MAP_KEY.matcher(prefix).matches() || prefix.contains("@")) {
        throw yaml.error(
            e.path(),
            e.line(),
            "expected the start of a local part, got " + YamlReader.quote(prefix));
      }
      strip = Optional.of(prefix);
    }
    List<String> localDomains = domains(m.get("local-domains"));
    List<String> aka = domains(m.get("aka"));
    Map<String, String> map = map(m.get("map"), users);
    Optional<String> postmaster = Optional.empty();
    if (m.containsKey("postmaster")) {
      Entry e = m.get("postmaster");
      postmaster = Optional.of(userRef(e.value(), e.path(), users));
    }
    MultidropConfig.Dedupe dedupe =
        m.containsKey("dedupe") ? dedupe(m.get("dedupe")) : MultidropConfig.Dedupe.OFF;
    if (localDomains.isEmpty()
        && aka.isEmpty()
        && map.keySet().stream().noneMatch(k -> k.indexOf('@') > 0)) {
      throw yaml.error(
          path,
          YamlReader.line(v),
          "no address can be local: give local-domains:, aka: or map: entries with whole"
              + " addresses");
    }
    return new MultidropConfig(envelope, strip, localDomains, aka, map, users, postmaster, dedupe);
  }

  private Map<String, DeliverConfig> users(Entry e) throws ConfigException {
    yaml.checkTag(e.value(), e.path());
    if (!(e.value() instanceof MappingNode node) || node.getValue().isEmpty()) {
      throw yaml.error(
          e.path(),
          e.line(),
          "expected local user names, each with a destination, such as"
              + " alice: { maildir: /home/alice/Maildir }");
    }
    Map<String, DeliverConfig> users = new LinkedHashMap<>();
    for (var tuple : node.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        throw yaml.error(e.path(), YamlReader.line(tuple.getKeyNode()), "expected a user name");
      }
      String name = key.getValue().strip().toLowerCase(Locale.ROOT);
      String at = e.path() + "." + key.getValue();
      if (!DeliverSection.isUserName(name)) {
        throw yaml.error(
            at,
            YamlReader.line(key),
            "not a user name (letters, digits, \".\", \"_\", \"-\", at most "
                + DeliverSection.MAX_USER
                + " characters, not starting with \"-\"): "
                + YamlReader.quote(key.getValue()));
      }
      if (users.containsKey(name)) {
        throw yaml.error(at, YamlReader.line(key), "user " + YamlReader.quote(name) + " twice");
      }
      users.put(name, destinations.read(tuple.getValueNode(), at));
    }
    return users;
  }

  private List<MultidropConfig.Envelope> envelope(Entry e) throws ConfigException {
    List<Node> items = list(e);
    List<MultidropConfig.Envelope> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String at = e.path() + "[" + i + "]";
      if (item instanceof ScalarNode) {
        out.add(new MultidropConfig.Envelope(yaml.headerName(item, at), 0));
        continue;
      }
      Map<String, Entry> h = yaml.mapping(item, at, ENVELOPE_KEYS);
      Entry header = h.get("header");
      if (header == null) {
        throw yaml.error(at, YamlReader.line(item), "missing required key 'header'");
      }
      int skip =
          h.containsKey("skip")
              ? yaml.integer(h.get("skip").value(), h.get("skip").path(), 0, 100)
              : 0;
      out.add(new MultidropConfig.Envelope(yaml.headerName(header.value(), header.path()), skip));
    }
    return out;
  }

  /** A list, or one scalar taken as a list of one. */
  private List<Node> list(Entry e) throws ConfigException {
    yaml.checkTag(e.value(), e.path());
    if (e.value() instanceof SequenceNode seq) {
      return seq.getValue();
    }
    if (e.value() instanceof ScalarNode) {
      return List.of(e.value());
    }
    throw yaml.error(e.path(), e.line(), "expected a list, got " + YamlReader.describe(e.value()));
  }

  private List<String> domains(Entry e) throws ConfigException {
    if (e == null) {
      return List.of();
    }
    List<Node> items = list(e);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String at = e.path() + "[" + i + "]";
      String d = yaml.nonBlank(items.get(i), at).strip();
      if (!DOMAIN.matcher(d).matches() || d.length() > 253) {
        throw yaml.error(
            at,
            YamlReader.line(items.get(i)),
            "expected a domain name, got " + YamlReader.quote(d));
      }
      out.add((d.startsWith(".") ? d.substring(1) : d).toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private Map<String, String> map(Entry e, Map<String, DeliverConfig> users)
      throws ConfigException {
    Map<String, String> out = new LinkedHashMap<>();
    if (e == null) {
      return out;
    }
    yaml.checkTag(e.value(), e.path());
    if (!(e.value() instanceof MappingNode node)) {
      throw yaml.error(
          e.path(),
          e.line(),
          "expected addresses mapped to users, such as \"*@example.org\": alice, got "
              + YamlReader.describe(e.value()));
    }
    for (var tuple : node.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        throw yaml.error(e.path(), YamlReader.line(tuple.getKeyNode()), "expected an address");
      }
      String k = key.getValue().strip().toLowerCase(Locale.ROOT);
      String at = e.path() + "." + key.getValue();
      int sign = k.lastIndexOf('@');
      boolean ok =
          MAP_KEY.matcher(k).matches()
              && (sign < 0
                  ? k.equals("*") || k.indexOf('*') < 0
                  : sign > 0
                      && DOMAIN.matcher(k.substring(sign + 1)).matches()
                      && (k.startsWith("*@") ? sign == 1 : k.indexOf('*') < 0));
      if (!ok) {
        throw yaml.error(
            at,
            YamlReader.line(key),
            "expected an address, a local part, \"*@DOMAIN\" or \"*\", got "
                + YamlReader.quote(key.getValue()));
      }
      if (out.containsKey(k)) {
        throw yaml.error(at, YamlReader.line(key), YamlReader.quote(k) + " mapped twice");
      }
      out.put(k, userRef(tuple.getValueNode(), at, users));
    }
    return out;
  }

  /** A name that must be one of {@code users}. */
  private String userRef(Node v, String path, Map<String, DeliverConfig> users)
      throws ConfigException {
    String name = yaml.nonBlank(v, path).strip().toLowerCase(Locale.ROOT);
    if (!users.containsKey(name)) {
      throw yaml.error(
          path,
          YamlReader.line(v),
          "no user "
              + YamlReader.quote(name)
              + " under users:"
              + YamlReader.suggestion(name, List.copyOf(users.keySet())));
    }
    return name;
  }

  private MultidropConfig.Dedupe dedupe(Entry e) throws ConfigException {
    Map<String, Entry> d = yaml.mapping(e.value(), e.path(), DEDUPE_KEYS);
    boolean across =
        d.containsKey("across-accounts")
            && yaml.bool(d.get("across-accounts").value(), d.get("across-accounts").path());
    Duration keep =
        d.containsKey("keep")
            ? yaml.duration(d.get("keep").value(), d.get("keep").path(), "1m", "366d")
            : MultidropConfig.Dedupe.DEFAULT_KEEP;
    return new MultidropConfig.Dedupe(across, keep);
  }
}
