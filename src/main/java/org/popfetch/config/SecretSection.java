package org.popfetch.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads a password or token as written in the file, or where to get it (an environment variable, a
 * file or a command). Only the shape is checked here, never the value (see {@link SecretResolver});
 * a secret written in the file needs the file to be private.
 */
final class SecretSection extends YamlReader {
  private static final List<String> SECRET_KEYS = List.of("env", "file", "command");
  private static final String SECRET_FORMS =
      "a password or one of {env: NAME}, {file: /path}, {command: [program, args...]}";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final boolean checkFiles;
  private boolean sourceIsPrivate;

  /**
   * @param checkFiles whether a secret written in the file requires {@code source} to be readable
   *     by its owner alone
   */
  SecretSection(Path source, boolean checkFiles) {
    super(source);
    this.checkFiles = checkFiles;
  }

  /** The secret at {@code path}; a {@link ConfigException} says what is wrong, never quoting it. */
  Secret read(Node v, String path) throws ConfigException {
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
    String exposure = SecretResolver.exposure(attrs);
    if (exposure != null) {
      throw error(
          ConfigException.Kind.INSECURE_SECRETS,
          path,
          line,
          "a secret written in the file needs a private file, but its "
              + exposure
              + "; chmod 600 "
              + source
              + " (or 640 with owner root and popfetch's group), or use {env: NAME}, {file: /path}"
              + " or {command: [...]}");
    }
    sourceIsPrivate = true;
  }
}
