package org.popfetch.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.popfetch.config.YamlReader.Entry;

/** Reads {@code state: { url: jdbc:sqlite:/path }} into a {@link StateLocation}, once. */
final class StateSection {
  private static final List<String> KEYS = List.of("url");

  private StateSection() {}

  /** The state store named by {@code entry}'s url: an SQLite file, never in memory. */
  static StateLocation read(YamlReader yaml, Entry entry) throws ConfigException {
    Map<String, Entry> state = yaml.mapping(entry.value(), entry.path(), KEYS);
    Entry url = state.get("url");
    if (url == null) {
      throw yaml.error(entry.path(), entry.line(), "missing required key 'url'");
    }
    String text = yaml.string(url.value(), url.path()).strip();
    if (!text.startsWith(StateLocation.SQLITE_PREFIX)) {
      throw yaml.error(
          url.path(),
          YamlReader.line(url.value()),
          "expected "
              + StateLocation.SQLITE_PREFIX
              + "/path/to/state.db, got "
              + YamlReader.quote(text)
              + "; other state stores are not supported");
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
}
