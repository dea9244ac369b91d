package org.popfetch.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.popfetch.fetch.AccountKey;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.TlsMode;
import org.popfetch.schedule.PollScheduler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the YAML configuration into a {@link PopfetchConfig}, checking everything that can be
 * checked before the first connection.
 *
 * <p>The file is composed into SnakeYAML's node tree and walked by hand, never constructed into
 * Java objects: no tag can make SnakeYAML instantiate a class, and every node keeps its line, so
 * each error reads "FILE:LINE: KEY.PATH: problem", e.g. {@code /etc/popfetch/popfetch.yaml:12:
 * accounts[1].port: expected an integer 1..65535, got "abc"}. List indexes in key paths count from
 * 0, as in jq and yq. The first error ends the load.
 *
 * <p>Rules worth knowing (the commented {@code conf/popfetch.yaml} shows every key):
 *
 * <ul>
 *   <li>Unknown and duplicate keys are errors, so a typo never silently becomes a default.
 *   <li>{@code defaults:} holds any account key but {@code name}; an account's own key wins. {@code
 *       password} and {@code oauth-token} count as one setting, as do {@code interval} and {@code
 *       cron}: an account that sets one of a pair takes nothing of that pair from the defaults.
 *       Setting both of a pair in one block is an error.
 *   <li>Booleans are {@code true} or {@code false} only; YAML 1.1's yes/no/on/off are refused,
 *       since "keep: no" meaning false surprises as often as it helps.
 *   <li>A key with an empty value is an error, not a request for the default.
 *   <li>YAML anchors and aliases work (at most {@value #MAX_COLLECTION_ALIASES} aliases of mappings
 *       or lists); merge keys ({@code <<}) and tags other than YAML's standard ones are refused. An
 *       error inside an aliased node reports the line of its anchor.
 *   <li>Secrets are not resolved here (see {@link SecretResolver}); only their shape is checked.
 * </ul>
 */
public final class ConfigLoader extends YamlReader {
  /** Where the configuration is read from unless the command line names another file. */
  public static final Path DEFAULT_FILE = Path.of("/etc/popfetch/popfetch.yaml");

  /** Where the seen-UID state lives unless {@code state.url} says otherwise. */

  /** Accounts polled at once unless {@code parallel} says otherwise. */
  public static final int DEFAULT_PARALLEL = 4;

  /**
   * Connections to one server at once unless {@code per-server} says otherwise: providers such as
   * Gmail and GMX refuse or throttle logins beyond a few, and a hundred accounts on one host must
   * not look like an attack.
   */
  public static final int DEFAULT_PER_SERVER = 2;

  /**
   * Refused logins in a row before the mailbox is told, unless {@code auth-failure-notice} says.
   */
  public static final int DEFAULT_AUTH_FAILURE_NOTICE = 3;

  /** Larger files are refused before they are read. */
  static final int MAX_FILE_BYTES = 4 << 20;

  /** Limits alias expansion ("billion laughs"); a config needs few, if any. */
  static final int MAX_COLLECTION_ALIASES = 16;

  private static final List<String> TOP_KEYS =
      List.of(
          "state",
          "parallel",
          "per-server",
          "auth-failure-notice",
          "quarantine",
          "queue",
          "metrics",
          "defaults",
          "accounts");
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
          "auth",
          "interval",
          "cron",
          "keep",
          "delete-after",
          "max-size",
          "fetch-limit",
          "timeout",
          "deliver",
          "recipient-header",
          "rules",
          "uid-scope");
  private static final List<String> DELIVER_KEYS =
      List.of("maildir", "mbox", "pipe", "smtp", "timeout", "user", "allow-root");
  private static final List<String> DESTINATIONS = List.of("maildir", "mbox", "pipe", "smtp");
  private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]{1,76}");
  private static final Duration DEFAULT_PIPE_TIMEOUT = Duration.ofMinutes(10);
  private static final List<String> SECRET_KEYS = List.of("env", "file", "command");

  /** What a pipe argument may be replaced by; as PipeDestination substitutes them. */
  private static final List<String> PIPE_PLACEHOLDERS =
      List.of("%{recipient}", "%{sender}", "%{account}");

  private static final String DEFAULT_INTERVAL = "5m";
  private static final String DEFAULT_TIMEOUT = "60s";
  private static final String SECRET_FORMS =
      "a password or one of {env: NAME}, {file: /path}, {command: [program, args...]}";

  private static final Pattern ACCOUNT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final Set<AuthMethod> PASSWORD_METHODS =
      Set.of(
          AuthMethod.USER,
          AuthMethod.APOP,
          AuthMethod.PLAIN,
          AuthMethod.LOGIN,
          AuthMethod.CRAM_MD5);
  private static final Set<AuthMethod> TOKEN_METHODS =
      Set.of(AuthMethod.XOAUTH2, AuthMethod.OAUTHBEARER);

  private final boolean checkFiles;
  private boolean sourceIsPrivate;

  private ConfigLoader(Path source, boolean checkFiles) {
    super(source);
    this.checkFiles = checkFiles;
  }

  /**
   * Reads and checks a configuration file, including the file system checks of {@link #parse(Path,
   * String, boolean)} with {@code checkFiles} true.
   *
   * @param file the configuration; named as given in every message
   * @throws ConfigException if the file is missing, not a regular file, larger than 4 MiB, not
   *     UTF-8, or its content is wrong; the message says where and why
   */
  public static PopfetchConfig load(Path file) throws ConfigException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new ConfigException(file + ": " + SecretResolver.describe(e));
    }
    if (!attrs.isRegularFile()) {
      throw new ConfigException(file + ": not a regular file");
    }
    if (attrs.size() > MAX_FILE_BYTES) {
      throw new ConfigException(
          file + ": too large (" + attrs.size() + " bytes; a configuration is at most 4 MiB)");
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (MalformedInputException e) {
      throw new ConfigException(file + ": not valid UTF-8");
    } catch (IOException e) {
      throw new ConfigException(file + ": " + SecretResolver.describe(e));
    }
    return parse(file, text, true);
  }

  /**
   * Checks a configuration given as text.
   *
   * @param source the file name to use in messages and {@link PopfetchConfig#source()}
   * @param yamlText the file's content
   * @param checkFiles also look at the file system: a password or token written in the file
   *     requires {@code source} to have no permission bit for group or others (as {@code chmod
   *     600}), and each {@code ca-file} must be a readable regular file. Off, only the text is
   *     checked (for tests, and for checking a file before installing it).
   * @throws ConfigException at the first problem, as "FILE:LINE: KEY.PATH: problem"
   */
  public static PopfetchConfig parse(Path source, String yamlText, boolean checkFiles)
      throws ConfigException {
    String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
    Node root;
    try {
      root = new Yaml(loaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw yamlError(source, e);
    } catch (YAMLException e) {
      throw new ConfigException(source + ": invalid YAML: " + e.getMessage());
    }
    return new ConfigLoader(source, checkFiles).config(root);
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit(MAX_FILE_BYTES);
    options.setProcessComments(false);
    options.setMergeOnCompose(false);
    return options;
  }

  private static ConfigException yamlError(Path source, MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    StringBuilder b = new StringBuilder().append(source);
    if (mark != null) {
      b.append(':').append(mark.getLine() + 1);
    }
    b.append(": invalid YAML: ");
    String context =
        e.getContext() == null || e.getContextMark() == null
            ? null
            : e.getContext() + " at line " + (e.getContextMark().getLine() + 1);
    if (context != null && e.getProblem().startsWith("but ")) {
      // "expected a single document in the stream at line 1, but found another document"
      b.append(context).append(", ").append(e.getProblem());
    } else {
      b.append(e.getProblem());
      if (context != null) {
        b.append(" (").append(context).append(')');
      }
    }
    return new ConfigException(b.toString(), e);
  }

  // ---------------------------------------------------------------- the file's shape

  private PopfetchConfig config(Node root) throws ConfigException {
    if (root == null) {
      throw new ConfigException(source + ": the file is empty; it needs at least accounts:");
    }
    Map<String, Entry> top = mapping(root, "", TOP_KEYS);
    StateLocation state =
        top.containsKey("state")
            ? StateSection.read(this, top.get("state"))
            : StateLocation.DEFAULT;
    int parallel =
        top.containsKey("parallel")
            ? integer(top.get("parallel").value(), "parallel", 1, 256)
            : DEFAULT_PARALLEL;
    int perServer =
        top.containsKey("per-server")
            ? integer(top.get("per-server").value(), "per-server", 1, 256)
            : DEFAULT_PER_SERVER;
    int authFailureNotice =
        top.containsKey("auth-failure-notice")
            ? integer(top.get("auth-failure-notice").value(), "auth-failure-notice", 0, 1000)
            : DEFAULT_AUTH_FAILURE_NOTICE;
    Map<String, Located> defaults =
        top.containsKey("defaults") ? defaults(top.get("defaults")) : Map.of();
    if (!top.containsKey("accounts")) {
      throw error("", line(root), "missing required key 'accounts'");
    }
    Path quarantine =
        top.containsKey("quarantine")
            ? absolutePath(top.get("quarantine").value(), "quarantine")
            : state.directory().resolve("quarantine");
    QueueConfig queue = QueueSection.read(this, top.get("queue"), state.directory());
    Optional<HostPort> metrics = Optional.empty();
    if (top.containsKey("metrics")) {
      Map<String, Entry> m = mapping(top.get("metrics").value(), "metrics", List.of("listen"));
      Entry listen = m.get("listen");
      if (listen == null) {
        throw error("metrics", top.get("metrics").line(), "missing required key 'listen'");
      }
      metrics = Optional.of(hostPort(listen, "expected host:port with a port 1..65535, got "));
    }
    return new PopfetchConfig(
        source,
        state,
        parallel,
        perServer,
        accounts(top.get("accounts"), defaults),
        quarantine,
        queue,
        authFailureNotice,
        metrics);
  }

  private Map<String, Located> defaults(Entry entry) throws ConfigException {
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

  private List<AccountConfig> accounts(Entry entry, Map<String, Located> defaults)
      throws ConfigException {
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
            + " mail and take each other's records for their own");
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
    if (own.containsKey("password") || own.containsKey("oauth-token")) {
      f.remove("password");
      f.remove("oauth-token");
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
    if (!f.containsKey("password") && !f.containsKey("oauth-token")) {
      throw error(path, line, "missing required key 'password' (or 'oauth-token')");
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
    Located authAt = f.get("auth");
    if (f.containsKey("password") && TOKEN_METHODS.contains(auth)) {
      throw error(
          authAt.path(),
          authAt.line(),
          authName(auth) + " needs an oauth-token, but account " + quote(name) + " has a password");
    }
    if (f.containsKey("oauth-token") && PASSWORD_METHODS.contains(auth)) {
      throw error(
          authAt.path(),
          authAt.line(),
          authName(auth) + " needs a password, but account " + quote(name) + " has an oauth-token");
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
        value(f, "auth", AuthMethod.class).orElse(AuthMethod.AUTO),
        value(f, "interval", Duration.class).orElse(Durations.parse(DEFAULT_INTERVAL)),
        value(f, "cron", String.class),
        value(f, "keep", Boolean.class).orElse(false),
        value(f, "delete-after", Duration.class),
        value(f, "max-size", Long.class).map(OptionalLong::of).orElse(OptionalLong.empty()),
        value(f, "fetch-limit", Integer.class).map(OptionalInt::of).orElse(OptionalInt.empty()),
        value(f, "timeout", Duration.class).orElse(Durations.parse(DEFAULT_TIMEOUT)),
        (DeliverConfig) f.get("deliver").value(),
        value(f, "recipient-header", String.class),
        f.containsKey("rules") ? ruleList(f.get("rules").value()) : List.of(),
        value(f, "uid-scope", String.class));
  }

  @SuppressWarnings("unchecked")
  private static List<RuleConfig> ruleList(Object value) {
    return (List<RuleConfig>) value;
  }

  /** Reads each key of an account or of the defaults into its typed value. */
  private Map<String, Located> fields(Map<String, Entry> entries) throws ConfigException {
    exclusive(entries, "password", "oauth-token");
    exclusive(entries, "interval", "cron");
    Map<String, Located> fields = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      fields.put(e.key(), new Located(field(e.key(), e.value(), e.path()), e.path(), e.line()));
    }
    return fields;
  }

  private Object field(String key, Node v, String path) throws ConfigException {
    return switch (key) {
      case "name" -> accountName(v, path);
      case "server" -> host(v, path);
      case "port" -> integer(v, path, 1, 65535);
      case "tls" -> tls(v, path);
      case "ca-file" -> caFile(v, path);
      case "fingerprint" -> fingerprint(v, path);
      case "user" -> loginName(v, path);
      case "password", "oauth-token" -> secret(v, path);
      case "auth" -> auth(v, path);
      case "interval" -> duration(v, path, "10s", null);
      case "cron" -> cron(v, path);
      case "keep" -> bool(v, path);
      case "delete-after" -> duration(v, path, "1s", null);
      case "max-size" -> size(v, path);
      case "fetch-limit" -> integer(v, path, 1, Integer.MAX_VALUE);
      case "timeout" -> duration(v, path, "1s", "1h");
      case "deliver" -> deliver(v, path);
      case "recipient-header" -> headerName(v, path);
      case "rules" -> new RuleSection(this).read(v, path);
      case "uid-scope" -> uidScope(v, path);
      default -> throw new AssertionError(key);
    };
  }

  private void exclusive(Map<String, Entry> entries, String a, String b) throws ConfigException {
    if (entries.containsKey(a) && entries.containsKey(b)) {
      Entry second =
          entries.get(a).line() > entries.get(b).line() ? entries.get(a) : entries.get(b);
      throw error(second.path(), second.line(), "set either " + a + " or " + b + ", not both");
    }
  }

  DeliverConfig deliver(Node v, String path) throws ConfigException {
    Map<String, Entry> entries = mapping(v, path, DELIVER_KEYS);
    List<Entry> chosen =
        DESTINATIONS.stream().filter(entries::containsKey).map(entries::get).toList();
    if (chosen.isEmpty()) {
      throw error(path, line(v), "expected a destination: maildir, mbox, pipe or smtp");
    }
    if (chosen.size() > 1) {
      throw error(chosen.get(1).path(), chosen.get(1).line(), "one destination per deliver: block");
    }
    Entry d = chosen.get(0);
    Entry timeout = entries.get("timeout");
    if (timeout != null && !d.key().equals("pipe")) {
      throw error(timeout.path(), timeout.line(), "a timeout applies to pipe only");
    }
    for (String pipeOnly : List.of("user", "allow-root")) {
      Entry e = entries.get(pipeOnly);
      if (e != null && !d.key().equals("pipe")) {
        throw error(e.path(), e.line(), pipeOnly + " applies to pipe only");
      }
    }
    return switch (d.key()) {
      case "maildir" -> new DeliverConfig.Maildir(maildir(d.value(), d.path()));
      case "mbox" -> new DeliverConfig.Mbox(absolutePath(d.value(), d.path()));
      case "pipe" -> {
        List<String> argv = command(d.value(), d.path());
        if (!argv.get(0).startsWith("/")) {
          throw error(
              d.path() + "[0]",
              line(d.value()),
              "the program must be an absolute path (no shell, no PATH search), got "
                  + quote(argv.get(0)));
        }
        for (int i = 0; i < argv.size(); i++) {
          // Only a whole argument is replaced: pasted into other text, a recipient such as
          // "x --option" could change what the argument means to the program.
          if (argv.get(i).contains("%{") && !PIPE_PLACEHOLDERS.contains(argv.get(i))) {
            throw error(
                d.path() + "[" + i + "]",
                line(((SequenceNode) d.value()).getValue().get(i)),
                "a placeholder must be a whole argument (%{recipient}, %{sender} or %{account}),"
                    + " since a value pasted into other text could change its meaning; got "
                    + quote(argv.get(i)));
          }
        }
        Entry user = entries.get("user");
        Entry allowRoot = entries.get("allow-root");
        yield new DeliverConfig.Pipe(
            argv,
            timeout == null
                ? DEFAULT_PIPE_TIMEOUT
                : duration(timeout.value(), timeout.path(), "1s", "24h"),
            user == null
                ? Optional.empty()
                : Optional.of(string(user.value(), user.path()).strip()),
            allowRoot != null && bool(allowRoot.value(), allowRoot.path()));
      }
      case "smtp" -> new SmtpSection(this).read(d);
      default -> throw new AssertionError(d.key());
    };
  }

  String headerName(Node v, String path) throws ConfigException {
    String name = string(v, path).strip();
    if (!HEADER_NAME.matcher(name).matches()) {
      throw error(
          path, line(v), "expected a header field name such as Delivered-To, got " + quote(name));
    }
    return name;
  }

  Secret secret(Node v, String path) throws ConfigException {
    checkTag(v, path);
    if (v instanceof ScalarNode) {
      // Never quote the value: it is a secret.
      if (isNull(v)) {
        throw error(path, line(v), "expected " + SECRET_FORMS + ", got nothing");
      }
      String text = ((ScalarNode) v).getValue();
      if (text.isEmpty()) {
        throw error(path, line(v), "is empty");
      }
      if (SecretResolver.breaksALine(text)) {
        throw error(path, line(v), SecretResolver.BREAKS_A_LINE);
      }
      requirePrivateSource(path, line(v));
      return new Secret.Literal(text);
    }
    if (!(v instanceof MappingNode)) {
      throw error(path, line(v), "expected " + SECRET_FORMS + ", got " + describe(v));
    }
    Map<String, Entry> entries = mapping(v, path, SECRET_KEYS);
    if (entries.size() != 1) {
      throw error(path, line(v), "expected exactly one of env, file, command");
    }
    Entry e = entries.values().iterator().next();
    switch (e.key()) {
      case "env":
        String name = string(e.value(), e.path());
        if (!ENV_NAME.matcher(name).matches()) {
          throw error(
              e.path(),
              line(e.value()),
              "expected an environment variable name, got " + quote(name));
        }
        return new Secret.FromEnv(name);
      case "file":
        return new Secret.FromFile(absolutePath(e.value(), e.path()));
      case "command":
        return new Secret.FromCommand(command(e.value(), e.path()));
      default:
        throw new AssertionError(e.key());
    }
  }

  private List<String> command(Node v, String path) throws ConfigException {
    checkTag(v, path);
    if (!(v instanceof SequenceNode seq)) {
      throw error(
          path,
          line(v),
          "expected a list: the program and its arguments (no shell), got " + describe(v));
    }
    if (seq.getValue().isEmpty()) {
      throw error(path, line(v), "expected at least the program to run");
    }
    List<String> argv = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      argv.add(string(seq.getValue().get(i), path + "[" + i + "]"));
    }
    if (argv.get(0).isBlank()) {
      throw error(path + "[0]", line(seq.getValue().get(0)), "the program name is empty");
    }
    return argv;
  }

  /**
   * A secret written in the file is as safe as the file: refuse it if anyone but the owner may read
   * the file. Checked once, at the first such secret.
   */
  private void requirePrivateSource(String path, int line) throws ConfigException {
    if (!checkFiles || sourceIsPrivate) {
      return;
    }
    PosixFileAttributes attrs;
    try {
      attrs = Files.readAttributes(source, PosixFileAttributes.class);
    } catch (IOException | UnsupportedOperationException e) {
      throw error(
          path,
          line,
          "cannot check who may read "
              + source
              + ", which holds this secret: "
              + (e instanceof IOException io
                  ? SecretResolver.describe(io)
                  : "not a POSIX file system"));
    }
    String exposure = SecretResolver.exposure(attrs.permissions());
    if (exposure != null) {
      throw error(
          ConfigException.Kind.INSECURE_SECRETS,
          path,
          line,
          "a secret written in the file needs a private file, but its "
              + exposure
              + "; chmod 600 "
              + source
              + ", or use {env: NAME}, {file: /path} or {command: [...]}");
    }
    sourceIsPrivate = true;
  }

  // ---------------------------------------------------------------- single values

  private String accountName(Node v, String path) throws ConfigException {
    String text = string(v, path);
    if (!ACCOUNT_NAME.matcher(text).matches()) {
      throw error(
          path, line(v), "expected 1 to 64 letters, digits, '.', '_' or '-', got " + quote(text));
    }
    return text;
  }

  /** A name for a scope of seen UIDs: printable, and short enough to be an index key. */
  private String uidScope(Node v, String path) throws ConfigException {
    String text = nonBlank(v, path);
    if (text.length() > 255 || text.codePoints().anyMatch(Character::isISOControl)) {
      throw error(path, line(v), "expected up to 255 printable characters, got " + quote(text));
    }
    return text;
  }

  private String host(Node v, String path) throws ConfigException {
    String text = nonBlank(v, path);
    if (text.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw error(path, line(v), "expected a host name or address, got " + quote(text));
    }
    return text;
  }

  /** A POP3 login name: it goes on the USER and APOP command lines as one word. */
  private String loginName(Node v, String path) throws ConfigException {
    String text = nonBlank(v, path);
    if (text.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw error(
          path,
          line(v),
          "a login name cannot hold spaces or control characters (they would split or end"
              + " the POP3 command), got "
              + quote(text));
    }
    return text;
  }

  /** A Quartz cron expression that parses and fires at least once more. */
  private String cron(Node v, String path) throws ConfigException {
    String text = nonBlank(v, path);
    try {
      PollScheduler.checkCron(text);
    } catch (IllegalArgumentException e) {
      throw error(path, line(v), e.getMessage());
    }
    return text;
  }

  /**
   * A Maildir path. Checking files, a path that is, or lies inside, something other than a
   * directory is refused here: delivery would fail at every poll.
   */
  private Path maildir(Node v, String path) throws ConfigException {
    Path dir = absolutePath(v, path);
    if (checkFiles) {
      for (Path p = dir; p != null; p = p.getParent()) {
        if (Files.exists(p)) {
          if (!Files.isDirectory(p)) {
            throw error(path, line(v), p + " is a file, not a directory");
          }
          break;
        }
      }
    }
    return dir;
  }

  private TlsMode tls(Node v, String path) throws ConfigException {
    String text = string(v, path);
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "implicit" -> TlsMode.IMPLICIT;
      case "starttls" -> TlsMode.STARTTLS;
      case "none" -> TlsMode.NONE;
      default ->
          throw error(path, line(v), "expected implicit, starttls or none, got " + quote(text));
    };
  }

  private AuthMethod auth(Node v, String path) throws ConfigException {
    String text = string(v, path);
    for (AuthMethod m : AuthMethod.values()) {
      if (authName(m).equals(text.strip().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    String names =
        Arrays.stream(AuthMethod.values())
            .map(ConfigLoader::authName)
            .collect(Collectors.joining(", "));
    throw error(path, line(v), "expected one of " + names + ", got " + quote(text));
  }

  private static String authName(AuthMethod m) {
    return m.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private Path caFile(Node v, String path) throws ConfigException {
    Path file = absolutePath(v, path);
    if (checkFiles) {
      if (!Files.exists(file)) {
        throw error(path, line(v), file + ": no such file");
      } else if (!Files.isRegularFile(file)) {
        throw error(path, line(v), file + ": not a regular file");
      } else if (!Files.isReadable(file)) {
        throw error(path, line(v), file + ": permission denied");
      }
    }
    return file;
  }

  private byte[] fingerprint(Node v, String path) throws ConfigException {
    String text = string(v, path);
    try {
      return TlsTrust.parseFingerprint(text);
    } catch (IllegalArgumentException e) {
      throw error(
          path,
          line(v),
          "expected \"sha256:\" and 64 hex digits (colons allowed), as printed by"
              + " openssl x509 -noout -fingerprint -sha256, got "
              + quote(text));
    }
  }

  /** A typed value and where it was written (in the account or in defaults). */
  private record Located(Object value, String path, int line) {}

  private static <T> Optional<T> value(Map<String, Located> fields, String key, Class<T> type) {
    return Optional.ofNullable(fields.get(key)).map(l -> type.cast(l.value()));
  }
}
