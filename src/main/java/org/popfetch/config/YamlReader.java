package org.popfetch.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML nodes as configuration values: each mapping checked against its valid keys (with a
 * did-you-mean for near misses), each scalar read as a string, integer, duration, size, bool or
 * path, and every problem reported as "FILE:LINE: KEY.PATH: what is wrong". The only code that
 * looks inside SnakeYAML nodes; a section reader extends it.
 */
abstract class YamlReader {
  /** The implicit tags SnakeYAML's resolver assigns, and their explicit spellings. */
  static final Set<Tag> STANDARD_TAGS =
      Set.of(
          Tag.STR,
          Tag.INT,
          Tag.FLOAT,
          Tag.BOOL,
          Tag.NULL,
          Tag.TIMESTAMP,
          Tag.MERGE,
          Tag.MAP,
          Tag.SEQ);

  static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,18}");

  /** The file being read, named in every message. */
  final Path source;

  YamlReader(Path source) {
    this.source = source;
  }

  Path absolutePath(Node v, String path) throws ConfigException {
    String text = nonBlank(v, path);
    Path p;
    try {
      p = Path.of(text);
    } catch (InvalidPathException e) {
      throw error(path, line(v), "not a valid path: " + quote(text));
    }
    if (!p.isAbsolute()) {
      throw error(path, line(v), "must be an absolute path, got " + quote(text));
    }
    return p;
  }

  int integer(Node v, String path, int min, int max) throws ConfigException {
    String range = max == Integer.MAX_VALUE ? "of at least " + min : min + ".." + max;
    String text = scalar(v, path, "an integer " + range);
    if (INTEGER.matcher(text).matches()) {
      long n = Long.parseLong(text);
      if (n >= min && n <= max) {
        return (int) n;
      }
    }
    throw error(path, line(v), "expected an integer " + range + ", got " + quote(text));
  }

  boolean bool(Node v, String path) throws ConfigException {
    String text = scalar(v, path, "true or false");
    if (text.equalsIgnoreCase("true")) {
      return true;
    } else if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw error(path, line(v), "expected true or false, got " + quote(text));
  }

  Duration duration(Node v, String path, String min, String max) throws ConfigException {
    String text = scalar(v, path, "a duration such as 90s, 5m or 2h");
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw error(path, line(v), e.getMessage());
    }
    if (d.compareTo(Durations.parse(min)) < 0
        || (max != null && d.compareTo(Durations.parse(max)) > 0)) {
      String range = max == null ? "at least " + min : "between " + min + " and " + max;
      throw error(path, line(v), "must be " + range + ", got " + quote(text));
    }
    return d;
  }

  long size(Node v, String path) throws ConfigException {
    String text = scalar(v, path, "a size such as 20MB");
    long n;
    try {
      n = Sizes.parse(text);
    } catch (IllegalArgumentException e) {
      throw error(path, line(v), e.getMessage());
    }
    if (n <= 0) {
      throw error(path, line(v), "must be more than 0, got " + quote(text));
    }
    return n;
  }

  /** A "host:port" scalar; {@code expected} starts the message if it is not one. */
  HostPort hostPort(Entry entry, String expected) throws ConfigException {
    String v = string(entry.value(), entry.path()).strip();
    Optional<HostPort> parsed = HostPort.parse(v);
    if (parsed.isEmpty()) {
      throw error(entry.path(), line(entry.value()), expected + quote(v));
    }
    return parsed.get();
  }

  String nonBlank(Node v, String path) throws ConfigException {
    String text = string(v, path);
    if (text.isBlank()) {
      throw error(path, line(v), "must not be empty");
    }
    return text;
  }

  /** Any scalar's text as written: "user: 1234" is the string "1234", not a number. */
  String string(Node v, String path) throws ConfigException {
    return scalar(v, path, "a string");
  }

  String scalar(Node v, String path, String expected) throws ConfigException {
    checkTag(v, path);
    if (!(v instanceof ScalarNode scalar) || isNull(v)) {
      throw error(path, line(v), "expected " + expected + ", got " + describe(v));
    }
    return scalar.getValue();
  }

  /** A program and its arguments, run without a shell: a list of at least the program. */
  List<String> command(Node v, String path) throws ConfigException {
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

  /** A key and its value, with the key's full path and line. */
  record Entry(String key, String path, int line, Node value) {}

  /**
   * The entries of a mapping in file order, refusing anything but a mapping, keys that are not
   * plain names, duplicate keys, merge keys and keys not in {@code valid}.
   */
  Map<String, Entry> mapping(Node node, String path, List<String> valid) throws ConfigException {
    checkTag(node, path);
    if (!(node instanceof MappingNode map)) {
      throw error(path, line(node), "expected a mapping (key: value), got " + describe(node));
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : map.getValue()) {
      Node keyNode = tuple.getKeyNode();
      int keyLine = line(keyNode);
      if (keyNode.getTag().equals(Tag.MERGE)) {
        throw error(
            path, keyLine, "merge keys (<<) are not supported; put shared settings in defaults:");
      }
      if (!(keyNode instanceof ScalarNode) || isNull(keyNode)) {
        throw error(path, keyLine, "expected a key name, got " + describe(keyNode));
      }
      String key = ((ScalarNode) keyNode).getValue();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      if (!valid.contains(key)) {
        throw error(
            keyPath,
            keyLine,
            "unknown key"
                + suggestion(key, valid)
                + "; valid keys here: "
                + String.join(", ", valid));
      }
      Entry earlier = entries.get(key);
      if (earlier != null) {
        throw error(keyPath, keyLine, "duplicate key (first at line " + earlier.line() + ")");
      }
      entries.put(key, new Entry(key, keyPath, keyLine, tuple.getValueNode()));
    }
    return entries;
  }

  void checkTag(Node node, String path) throws ConfigException {
    if (!STANDARD_TAGS.contains(node.getTag())) {
      throw error(path, line(node), "YAML tag " + node.getTag().getValue() + " is not supported");
    }
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    } else if (node instanceof SequenceNode) {
      return "a list";
    } else if (isNull(node)) {
      return "nothing";
    }
    return quote(((ScalarNode) node).getValue());
  }

  static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  ConfigException error(String path, int line, String problem) {
    return error(ConfigException.Kind.SYNTAX, path, line, problem);
  }

  ConfigException error(ConfigException.Kind kind, String path, int line, String problem) {
    return new ConfigException(
        kind, source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
  }

  /** " (did you mean 'x'?)" for a near miss such as "pasword" or "ca_file", else "". */
  static String suggestion(String key, List<String> valid) {
    String normal = key.toLowerCase(Locale.ROOT).replace('_', '-');
    for (String v : valid) {
      if (v.equals(normal) || editDistance(normal, v) <= 2) {
        return " (did you mean '" + v + "'?)";
      }
    }
    return "";
  }

  static int editDistance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + cost);
        diagonal = above;
      }
    }
    return row[b.length()];
  }

  /**
   * A value quoted for an error message: escaped, without control characters, and cut at 60
   * characters, so a hostile or binary value cannot garble a log line.
   */
  static String quote(String text) {
    StringBuilder b = new StringBuilder("\"");
    int max = 60;
    for (int i = 0; i < text.length(); i++) {
      if (i == max) {
        b.append("...");
        break;
      }
      char c = text.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (Character.isISOControl(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
