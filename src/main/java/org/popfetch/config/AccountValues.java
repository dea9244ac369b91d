package org.popfetch.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.popfetch.fetch.OversizeAction;
import org.popfetch.net.Framing;
import org.popfetch.net.TlsTrust;
import org.popfetch.pop3.AuthMethod;
import org.popfetch.pop3.TlsMode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads each key of an account (or of {@code defaults:}) into its typed value: names, host, TLS
 * mode, login, secrets, OAuth, limits, the destination and the rules.
 */
final class AccountValues extends YamlReader {
  private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]{1,76}");
  private static final Pattern ACCOUNT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final boolean checkFiles;
  private final SecretSection secrets;
  private final DeliverSection deliver;
  private final OAuthSection oauth;

  /**
   * @param checkFiles whether a ca-file must be a readable regular file now
   */
  AccountValues(Path source, boolean checkFiles, SecretSection secrets, DeliverSection deliver) {
    super(source);
    this.checkFiles = checkFiles;
    this.secrets = secrets;
    this.deliver = deliver;
    this.oauth = new OAuthSection(source, secrets);
  }

  /** The typed value of the account key {@code key}, one of the keys an account may hold. */
  Object field(String key, Node v, String path) throws ConfigException {
    return switch (key) {
      case "name" -> accountName(v, path);
      case "server" -> host(v, path);
      case "port" -> integer(v, path, 1, 65535);
      case "tls" -> tls(v, path);
      case "ca-file" -> caFile(v, path);
      case "fingerprint" -> fingerprint(v, path);
      case "user" -> loginName(v, path);
      case "password", "oauth-token" -> secrets.read(v, path);
      case "oauth" -> oauth.read(v, path);
      case "auth" -> auth(v, path);
      case "interval" -> new Schedule.Interval(duration(v, path, "10s", null));
      case "cron" -> cron(v, path);
      case "keep" -> bool(v, path);
      case "delete-after" -> duration(v, path, "1s", null);
      case "max-size" -> maxSize(v, path);
      case "fetch-limit" -> integer(v, path, 1, Integer.MAX_VALUE);
      case "full-listing-every" -> integer(v, path, 1, 1_000_000);
      case "timeout" -> duration(v, path, "1s", "1h");
      case "deliver" -> deliver.read(v, path);
      case "recipient-header" -> headerName(v, path);
      case "rules" -> new RuleSection(this, deliver).read(v, path);
      case "uid-scope" -> uidScope(v, path);
      case "received", "delivered-to", "drop-delivered-to", "drop-status" -> bool(v, path);
      case "line-endings" -> lineEndings(v, path);
      case "multidrop" -> new MultidropSection(this, deliver).read(v, path);
      default -> throw new AssertionError(key);
    };
  }

  private static final List<String> MAX_SIZE_KEYS = List.of("size", "action");

  /**
   * A max-size: a size (larger messages are left), or {@code { size: SIZE, action: leave | delete |
   * notice }}.
   */
  MaxSize maxSize(Node v, String path) throws ConfigException {
    if (!(v instanceof MappingNode)) {
      return new MaxSize(size(v, path), OversizeAction.LEAVE);
    }
    Map<String, Entry> m = mapping(v, path, MAX_SIZE_KEYS);
    Entry size = m.get("size");
    if (size == null) {
      throw error(path, line(v), "missing required key 'size'");
    }
    OversizeAction action = OversizeAction.LEAVE;
    Entry a = m.get("action");
    if (a != null) {
      String text = string(a.value(), a.path()).strip().toLowerCase(Locale.ROOT);
      action =
          Arrays.stream(OversizeAction.values())
              .filter(o -> o.key().equals(text))
              .findFirst()
              .orElseThrow(
                  () ->
                      error(
                          a.path(),
                          a.line(),
                          "expected leave, delete or notice, got " + quote(text)));
    }
    return new MaxSize(size(size.value(), size.path()), action);
  }

  String headerName(Node v, String path) throws ConfigException {
    String name = string(v, path).strip();
    if (!HEADER_NAME.matcher(name).matches()) {
      throw error(
          path, line(v), "expected a header field name such as Delivered-To, got " + quote(name));
    }
    return name;
  }

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
          "a login name cannot hold spaces or control characters (they would"
              + " split or end"
              + " the POP3 command), got "
              + quote(text));
    }
    return text;
  }

  /** A Quartz cron expression that parses and fires at least once more. */
  private Schedule.Cron cron(Node v, String path) throws ConfigException {
    String text = nonBlank(v, path);
    try {
      return new Schedule.Cron(text);
    } catch (IllegalArgumentException e) {
      throw error(path, line(v), e.getMessage());
    }
  }

  /**
   * How the server ends its lines. Not detected: a CRLF server's body may hold a bare LF followed
   * by a dot, and taking that for the end would cut the message short.
   */
  private Framing lineEndings(Node v, String path) throws ConfigException {
    String text = string(v, path);
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "crlf" -> Framing.CRLF;
      case "lf-tolerant" -> Framing.LF_TOLERANT;
      default -> throw error(path, line(v), "expected crlf or lf-tolerant, got " + quote(text));
    };
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
            .map(AccountValues::authName)
            .collect(Collectors.joining(", "));
    throw error(path, line(v), "expected one of " + names + ", got " + quote(text));
  }

  static String authName(AuthMethod m) {
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
}
