package org.popfetch.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.popfetch.config.YamlReader.Entry;

/**
 * Reads {@code state: { url: jdbc:sqlite:/path }}, or the shared form {@code state: { url:
 * jdbc:postgresql://host/db, user: popfetch, password: {file: ...}, dir: /var/lib/popfetch }}, into
 * a {@link StateLocation}, once.
 */
final class StateSection {
  private static final List<String> KEYS = List.of("url", "user", "password", "dir");

  /** Credentials in the URL would be printed wherever the URL is; they have keys of their own. */
  private static final Pattern CREDENTIALS_IN_URL =
      Pattern.compile("(?i)([?&;](user|password)=)|(//[^/?]*@)");

  private StateSection() {}

  /**
   * The state store named by {@code entry}'s url: an SQLite file, never in memory, or a PostgreSQL
   * database whose node-local files go in {@code dir} (else {@code localDefault}'s directory).
   */
  static StateLocation read(
      YamlReader yaml, Entry entry, SecretSection secrets, StateLocation localDefault)
      throws ConfigException {
    Map<String, Entry> state = yaml.mapping(entry.value(), entry.path(), KEYS);
    Entry url = state.get("url");
    if (url == null) {
      throw yaml.error(entry.path(), entry.line(), "missing required key 'url'");
    }
    String text = yaml.string(url.value(), url.path()).strip();
    if (text.startsWith(SharedState.POSTGRESQL_PREFIX)) {
      return shared(yaml, state, url, text, secrets, localDefault);
    }
    for (String key : List.of("user", "password", "dir")) {
      Entry e = state.get(key);
      if (e != null) {
        throw yaml.error(
            e.path(),
            e.line(),
            "only for a shared state (url: jdbc:postgresql://...); an SQLite file needs none");
      }
    }
    if (!text.startsWith(StateLocation.SQLITE_PREFIX)) {
      throw yaml.error(
          url.path(),
          YamlReader.line(url.value()),
          "expected "
              + StateLocation.SQLITE_PREFIX
              + "/path/to/state.db or "
              + SharedState.POSTGRESQL_PREFIX
              + "//host/database, got "
              + YamlReader.quote(text));
    }
    String file = text.substring(StateLocation.SQLITE_PREFIX.length());
    if (file.isEmpty() || file.contains(":memory:")) {
      throw yaml.error(
          url.path(),
          YamlReader.line(url.value()),
          "an in-memory database forgets seen messages at every restart; name a file");
    }
    try {
      return new StateLocation(Path.of(file));
    } catch (InvalidPathException e) {
      throw yaml.error(
          url.path(), YamlReader.line(url.value()), "not a file name: " + YamlReader.quote(file));
    }
  }

  private static StateLocation shared(
      YamlReader yaml,
      Map<String, Entry> state,
      Entry url,
      String text,
      SecretSection secrets,
      StateLocation localDefault)
      throws ConfigException {
    int line = YamlReader.line(url.value());
    if (!text.startsWith(SharedState.POSTGRESQL_PREFIX + "//")
        || text.length() == (SharedState.POSTGRESQL_PREFIX + "//").length()) {
      throw yaml.error(
          url.path(),
          line,
          "expected jdbc:postgresql://host[:port]/database, got " + YamlReader.quote(text));
    }
    if (CREDENTIALS_IN_URL.matcher(text).find()) {
      // Never quote it: it may carry the password.
      throw yaml.error(
          url.path(),
          line,
          "put the credentials in state.user and state.password, not in the URL, which is"
              + " printed in logs and status");
    }
    Optional<String> user = Optional.empty();
    Entry u = state.get("user");
    if (u != null) {
      String name = yaml.string(u.value(), u.path()).strip();
      if (name.isEmpty()) {
        throw yaml.error(u.path(), YamlReader.line(u.value()), "is empty");
      }
      user = Optional.of(name);
    }
    Entry p = state.get("password");
    Optional<Secret> password =
        p == null ? Optional.empty() : Optional.of(secrets.read(p.value(), p.path()));
    Entry d = state.get("dir");
    Path dir = d == null ? localDefault.directory() : yaml.absolutePath(d.value(), d.path());
    return StateLocation.shared(new SharedState(text, user, password), dir);
  }
}
