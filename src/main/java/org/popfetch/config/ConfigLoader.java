package org.popfetch.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

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

  /** Accounts polled at once unless {@code parallel} says otherwise. */
  public static final int DEFAULT_PARALLEL = 4;

  /**
   * Connections to one server at once unless {@code per-server} says otherwise: providers such as
   * Gmail and GMX refuse or throttle logins beyond a few, and a hundred accounts on one host must
   * not look like an attack.
   */
  public static final int DEFAULT_PER_SERVER = 2;

  /** Refused logins in a row before the mailbox is told, unless auth-failure-notice says. */
  public static final int DEFAULT_AUTH_FAILURE_NOTICE = 3;

  /** A unix socket's path is at most this long (sun_path less its NUL). */
  static final int MAX_SOCKET_PATH_OCTETS = 107;

  /** Larger files are refused before they are read. */
  static final int MAX_FILE_BYTES = 4 << 20;

  /** Limits alias expansion ("billion laughs"); a config needs few, if any. */
  static final int MAX_COLLECTION_ALIASES = 16;

  private static final List<String> TOP_KEYS =
      List.of(
          "state",
          "cluster",
          "parallel",
          "per-server",
          "auth-failure-notice",
          "quarantine",
          "queue",
          "metrics",
          "control",
          "defaults",
          "accounts");

  private final boolean checkFiles;

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
    return load(file, true);
  }

  /**
   * Reads a configuration file, looking at the file system as {@link #parse(Path, String, boolean)}
   * does with {@code checkFiles}: off, for a command that only needs to find the running service
   * (its control socket) and leaves the rest to it.
   *
   * @throws ConfigException as {@link #load(Path)}
   */
  public static PopfetchConfig load(Path file, boolean checkFiles) throws ConfigException {
    // An empty name (--config= with nothing after it) is the current directory to the JDK, and
    // "popfetch: : not a regular file" said nothing an admin could act on.
    if (file.toString().isEmpty()) {
      throw new ConfigException("no configuration file named: the file name is empty");
    }
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
    return parse(file, text, checkFiles);
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
      root = compose(text);
    } catch (MarkedYAMLException e) {
      throw yamlError(source, e);
    } catch (YAMLException e) {
      throw new ConfigException(source + ": invalid YAML: " + e.getMessage());
    }
    return new ConfigLoader(source, checkFiles).config(root);
  }

  /**
   * The file's node tree, composed as {@code Yaml.compose} composes it but without a {@code Yaml}:
   * that builds a constructor and a representer this loader never uses, and SnakeYAML's constructor
   * classes log through {@code System.Logger}, which starts {@code java.util.logging} (its
   * LogManager reads the JDK's logging.properties) in every command that reads the file.
   */
  private static Node compose(String text) {
    LoaderOptions options = loaderOptions();
    return new Composer(
            new ParserImpl(new StreamReader(new StringReader(text)), options),
            new Resolver(),
            options)
        .getSingleNode();
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
    SecretSection secrets = new SecretSection(source, checkFiles);
    StateLocation localState =
        StateLocation.defaultFor(
            source,
            Optional.ofNullable(System.getenv("HOME")),
            Optional.ofNullable(System.getenv("XDG_STATE_HOME")));
    StateLocation state =
        top.containsKey("state")
            ? StateSection.read(this, top.get("state"), secrets, localState)
            : localState;
    if (top.containsKey("cluster")) {
      state = cluster(top.get("cluster"), state);
    }
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
    DeliverSection deliver = new DeliverSection(source, checkFiles, secrets);
    AccountSection accounts =
        new AccountSection(source, new AccountValues(source, checkFiles, secrets, deliver));
    Map<String, AccountSection.Located> defaults =
        top.containsKey("defaults") ? accounts.defaults(top.get("defaults")) : Map.of();
    if (!top.containsKey("accounts")) {
      throw error("", line(root), "missing required key 'accounts'");
    }
    Path quarantine =
        top.containsKey("quarantine")
            ? absolutePath(top.get("quarantine").value(), "quarantine")
            : state.directory().resolve("quarantine");
    QueueConfig queue = QueueSection.read(this, top.get("queue"), state.directory());
    Optional<HostPort> metrics =
        top.containsKey("metrics") ? Optional.of(metrics(top.get("metrics"))) : Optional.empty();
    Path control =
        top.containsKey("control")
            ? controlSocket(top.get("control"))
            : state.directory().resolve(PopfetchConfig.CONTROL_SOCKET);
    return new PopfetchConfig(
        source,
        state,
        parallel,
        perServer,
        accounts.read(top.get("accounts"), defaults),
        quarantine,
        queue,
        authFailureNotice,
        metrics,
        control);
  }

  /** {@code cluster: { check-in: 7500ms }}: only where the state is shared. */
  private StateLocation cluster(Entry entry, StateLocation state) throws ConfigException {
    Map<String, Entry> m = mapping(entry.value(), "cluster", List.of("check-in"));
    if (state.shared().isEmpty()) {
      throw error(
          "cluster",
          entry.line(),
          "only for nodes that share their state (state: { url: jdbc:postgresql://... })");
    }
    Entry checkIn = m.get("check-in");
    if (checkIn == null) {
      return state;
    }
    Duration d = duration(checkIn.value(), "cluster.check-in", "1s", "5m");
    return new StateLocation(state.file(), Optional.of(state.shared().get().withCheckIn(d)));
  }

  /** {@code control: { socket: /abs/path }}: short enough for a unix socket address. */
  private Path controlSocket(Entry entry) throws ConfigException {
    Map<String, Entry> m = mapping(entry.value(), "control", List.of("socket"));
    Entry socket = m.get("socket");
    if (socket == null) {
      throw error("control", entry.line(), "missing required key 'socket'");
    }
    Path p = absolutePath(socket.value(), "control.socket");
    if (p.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_OCTETS) {
      throw error(
          "control.socket",
          line(socket.value()),
          "too long for a unix socket (at most " + MAX_SOCKET_PATH_OCTETS + " octets)");
    }
    return p;
  }

  private HostPort metrics(Entry entry) throws ConfigException {
    Map<String, Entry> m = mapping(entry.value(), "metrics", List.of("listen"));
    Entry listen = m.get("listen");
    if (listen == null) {
      throw error("metrics", entry.line(), "missing required key 'listen'");
    }
    return hostPort(listen, "expected host:port with a port 1..65535, got ");
  }
}
