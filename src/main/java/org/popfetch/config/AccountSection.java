package org.popfetch.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.FetchPolicy;
import org.popfetch.fetch.OversizeAction;
import org.popfetch.net.Framing;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.TlsMode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads {@code defaults:} and the {@code accounts:} list: each account's keys over the defaults,
 * the keys it needs, the keys that do not go together, unique names and scopes.
 */
final class AccountSection extends YamlReader {
  private static final List<String> ACCOUNT_KEYS =
      List.of(
          "name",
          "server",
          "port",
          "tls",
          "ca-file",
          "fingerprint",
          "user",
          "password",
          "oauth-token",
          "oauth",
          "auth",
          "interval",
          "cron",
          "keep",
          "delete-after",
          "max-size",
          "fetch-limit",
          "full-listing-every",
          "timeout",
          "deliver",
          "recipient-header",
          "rules",
          "uid-scope",
          "received",
          "delivered-to",
          "drop-delivered-to",
          "drop-status",
          "line-endings",
          "multidrop");
  private static final String DEFAULT_TIMEOUT = "60s";

  private static final Set<AuthMethod> PASSWORD_METHODS =
      Set.of(
          AuthMethod.USER,
          AuthMethod.APOP,
          AuthMethod.PLAIN,
          AuthMethod.LOGIN,
          AuthMethod.CRAM_MD5);
  private static final Set<AuthMethod> TOKEN_METHODS =
      Set.of(AuthMethod.XOAUTH2, AuthMethod.OAUTHBEARER);

  /** The ways to log in: an account takes one, from the defaults or its own. */
  private static final List<String> LOGIN_KEYS = List.of("password", "oauth-token", "oauth");

  private final AccountValues values;

  AccountSection(Path source, AccountValues values) {
    super(source);
    this.values = values;
  }

  /** The {@code defaults:} block: any account key but name and uid-scope. */
  Map<String, Located> defaults(Entry entry) throws ConfigException {
    Map<String, Entry> entries = mapping(entry.value(), entry.path(), ACCOUNT_KEYS);
    Entry name = entries.get("name");
    if (name != null) {
      throw error(
          name.path(), name.line(), "each account needs its own name; it cannot be a default");
    }
    Entry scope = entries.get("uid-scope");
    if (scope != null) {
      throw error(
          scope.path(),
          scope.line(),
          "each account needs its own uid-scope; it cannot be a default");
    }
    return fields(entries);
  }

  /** The accounts under {@code entry}, in file order, each with {@code defaults} applied. */
  List<AccountConfig> read(Entry entry, Map<String, Located> defaults) throws ConfigException {
    Node node = entry.value();
    checkTag(node, entry.path());
    if (!(node instanceof SequenceNode list)) {
      throw error(entry.path(), line(node), "expected a list of accounts, got " + describe(node));
    }
    if (list.getValue().isEmpty()) {
      throw error(entry.path(), line(node), "expected at least one account");
    }
    List<AccountConfig> accounts = new ArrayList<>();
    Map<String, Integer> nameLines = new HashMap<>();
    Map<AccountKey, String> scopes = new HashMap<>();
    for (int i = 0; i < list.getValue().size(); i++) {
      Node item = list.getValue().get(i);
      String path = entry.path() + "[" + i + "]";
      AccountConfig a = account(item, path, defaults, nameLines);
      scopeOfItsOwn(a, item, path, scopes);
      accounts.add(a);
    }
    return accounts;
  }

  /**
   * Refuses an account whose seen UIDs would be kept in the same scope as an earlier account's: two
   * accounts on one mailbox deliver its mail twice, and each one's poll would take the other's
   * records for its own (docs/adr/0003-uid-scope-with-port.md).
   *
   * @param scopes the scopes of the accounts before this one; this one's is added
   */
  private void scopeOfItsOwn(
      AccountConfig a, Node node, String path, Map<AccountKey, String> scopes)
      throws ConfigException {
    AccountKey scope = a.scope();
    String earlier =
        scopes.putIfAbsent(scope, "account " + quote(a.name()) + " (line " + line(node) + ")");
    if (earlier == null) {
      return;
    }
    if (a.uidScope().isPresent()) {
      throw error(
          path,
          line(node),
          "account "
              + quote(a.name())
              + " has uid-scope "
              + quote(scope.storageKey())
              + ", the scope of "
              + earlier
              + " too; each account needs a scope of its own");
    }
    throw error(
        path,
        line(node),
        "account "
            + quote(a.name())
            + " polls the same mailbox as "
            + earlier
            + ": same server, port and user; one mailbox needs one account, or the two race for its"
            + " mail"
            + " and take each other's records for their own");
  }

  /**
   * One account, with the defaults applied.
   *
   * @param nameLines the names of the accounts before this one and their lines; this one's is added
   */
  private AccountConfig account(
      Node node, String path, Map<String, Located> defaults, Map<String, Integer> nameLines)
      throws ConfigException {
    Map<String, Located> f = withDefaults(fields(mapping(node, path, ACCOUNT_KEYS)), defaults);
    requireKeys(f, path, line(node));
    Located nameAt = f.get("name");
    String name = (String) nameAt.value();
    Integer first = nameLines.putIfAbsent(name, nameAt.line());
    if (first != null) {
      throw error(
          nameAt.path(),
          nameAt.line(),
          "duplicate account name " + quote(name) + " (first at line " + first + ")");
    }
    checkCombinations(f, name);
    return build(f, name);
  }

  /** The account's own keys over the defaults; one way to log in, one way to schedule. */
  private static Map<String, Located> withDefaults(
      Map<String, Located> own, Map<String, Located> defaults) {
    Map<String, Located> f = new HashMap<>(defaults);
    if (LOGIN_KEYS.stream().anyMatch(own::containsKey)) {
      LOGIN_KEYS.forEach(f::remove);
    }
    if (own.containsKey("interval") || own.containsKey("cron")) {
      f.remove("interval");
      f.remove("cron");
    }
    f.putAll(own);
    return f;
  }

  private void requireKeys(Map<String, Located> f, String path, int line) throws ConfigException {
    for (String key : List.of("name", "server", "user", "deliver")) {
      if (!f.containsKey(key)) {
        throw error(path, line, "missing required key '" + key + "'");
      }
    }
    if (LOGIN_KEYS.stream().noneMatch(f::containsKey)) {
      throw error(path, line, "missing required key 'password' (or 'oauth-token' or 'oauth')");
    }
  }

  /** Keys that are each fine but do not go together. */
  private void checkCombinations(Map<String, Located> f, String name) throws ConfigException {
    boolean keep = value(f, "keep", Boolean.class).orElse(false);
    AuthMethod auth = value(f, "auth", AuthMethod.class).orElse(AuthMethod.AUTO);
    Located deleteAfter = f.get("delete-after");
    if (deleteAfter != null && !keep) {
      throw error(
          deleteAfter.path(),
          deleteAfter.line(),
          "applies only with keep: true, but account " + quote(name) + " has keep: false");
    }
    if (keep) {
      keepDeletesNothing(f, name);
    }
    Located authAt = f.get("auth");
    if (f.containsKey("password") && TOKEN_METHODS.contains(auth)) {
      throw error(
          authAt.path(),
          authAt.line(),
          AccountValues.authName(auth)
              + " needs oauth or an oauth-token, but account "
              + quote(name)
              + " has a password");
    }
    if (f.containsKey("oauth-token") && PASSWORD_METHODS.contains(auth)) {
      throw error(
          authAt.path(),
          authAt.line(),
          AccountValues.authName(auth)
              + " needs a password, but account "
              + quote(name)
              + " has an oauth-token");
    }
    Located oauth = f.get("oauth");
    if (oauth != null && authAt != null && !TOKEN_METHODS.contains(auth)) {
      throw error(
          authAt.path(),
          authAt.line(),
          "oauth logs in with xoauth2 or oauthbearer, but account "
              + quote(name)
              + " has auth: "
              + AccountValues.authName(auth));
    }
  }

  /**
   * keep: true promises to leave the mail on the server; a rule or a max-size that deletes unread
   * mail would break it behind the admin's back, so the two do not go together (skip and
   * delete-after do).
   */
  private void keepDeletesNothing(Map<String, Located> f, String name) throws ConfigException {
    Located max = f.get("max-size");
    if (max != null && ((MaxSize) max.value()).action() == OversizeAction.DELETE) {
      throw error(
          max.path(),
          max.line(),
          "action: delete removes mail from the server, but account "
              + quote(name)
              + " has keep: true; use leave or notice");
    }
    Located rules = f.get("rules");
    if (rules == null) {
      return;
    }
    List<RuleConfig> list = ruleList(rules.value());
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).disposition().deletes()) {
        throw error(
            rules.path() + "[" + i + "]",
            rules.line(),
            "this rule deletes mail on the server, but account "
                + quote(name)
                + " has keep: true; use action: skip, or a max-size action of leave or notice");
      }
    }
  }

  private static AccountConfig build(Map<String, Located> f, String name) {
    TlsMode tls = value(f, "tls", TlsMode.class).orElse(TlsMode.IMPLICIT);
    return new AccountConfig(
        name,
        (String) f.get("server").value(),
        value(f, "port", Integer.class).orElse(tls == TlsMode.IMPLICIT ? 995 : 110),
        tls,
        value(f, "ca-file", Path.class),
        value(f, "fingerprint", byte[].class),
        (String) f.get("user").value(),
        value(f, "password", Secret.class),
        value(f, "oauth-token", Secret.class),
        value(f, "oauth", OAuthConfig.class),
        value(f, "auth", AuthMethod.class)
            .orElse(f.containsKey("oauth") ? AuthMethod.XOAUTH2 : AuthMethod.AUTO),
        value(f, "cron", Schedule.class)
            .or(() -> value(f, "interval", Schedule.class))
            .orElse(new Schedule.Interval(Schedule.DEFAULT_INTERVAL)),
        value(f, "keep", Boolean.class).orElse(false),
        value(f, "delete-after", Duration.class),
        value(f, "max-size", MaxSize.class)
            .map(m -> OptionalLong.of(m.size()))
            .orElse(OptionalLong.empty()),
        value(f, "fetch-limit", Integer.class).map(OptionalInt::of).orElse(OptionalInt.empty()),
        value(f, "full-listing-every", Integer.class)
            .orElse(FetchPolicy.DEFAULT_FULL_LISTING_EVERY),
        value(f, "timeout", Duration.class).orElse(Durations.parse(DEFAULT_TIMEOUT)),
        (DeliverConfig) f.get("deliver").value(),
        value(f, "recipient-header", String.class),
        f.containsKey("rules") ? ruleList(f.get("rules").value()) : List.of(),
        value(f, "uid-scope", String.class),
        switches(f),
        value(f, "max-size", MaxSize.class)
            .map(m -> new PreDownloadConfig(m.action()))
            .orElse(PreDownloadConfig.DEFAULT),
        value(f, "multidrop", MultidropConfig.class));
  }

  private static Switches switches(Map<String, Located> f) {
    Switches d = Switches.DEFAULT;
    return new Switches(
        value(f, "received", Boolean.class).orElse(d.received()),
        value(f, "delivered-to", Boolean.class).orElse(d.deliveredTo()),
        value(f, "drop-delivered-to", Boolean.class).orElse(d.dropDeliveredTo()),
        value(f, "drop-status", Boolean.class).orElse(d.dropStatus()),
        value(f, "line-endings", Framing.class).orElse(d.lineEndings()));
  }

  @SuppressWarnings("unchecked")
  private static List<RuleConfig> ruleList(Object value) {
    return (List<RuleConfig>) value;
  }

  /** Reads each key of an account or of the defaults into its typed value. */
  private Map<String, Located> fields(Map<String, Entry> entries) throws ConfigException {
    exclusive(entries, "password", "oauth-token");
    exclusive(entries, "password", "oauth");
    exclusive(entries, "oauth-token", "oauth");
    exclusive(entries, "interval", "cron");
    exclusive(entries, "recipient-header", "multidrop");
    Map<String, Located> fields = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      Object value = values.field(e.key(), e.value(), e.path());
      fields.put(e.key(), new Located(value, e.path(), e.line()));
    }
    return fields;
  }

  private void exclusive(Map<String, Entry> entries, String a, String b) throws ConfigException {
    if (entries.containsKey(a) && entries.containsKey(b)) {
      Entry second =
          entries.get(a).line() > entries.get(b).line() ? entries.get(a) : entries.get(b);
      throw error(second.path(), second.line(), "set either " + a + " or " + b + ", not both");
    }
  }

  /** A typed value and where it was written (in the account or in defaults). */
  record Located(Object value, String path, int line) {}

  private static <T> Optional<T> value(Map<String, Located> fields, String key, Class<T> type) {
    return Optional.ofNullable(fields.get(key)).map(l -> type.cast(l.value()));
  }
}
