package org.popfetch.oauth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The top-level members of a JSON object (RFC 8259) as an authorization server sends them: strings,
 * numbers, booleans and null are kept (as text); nested objects and arrays are parsed and skipped.
 *
 * <p>Written for token and device responses, which are small flat objects: the input is bounded by
 * {@link #MAX_BYTES}, nesting by {@link #MAX_DEPTH}, and a duplicate member is refused rather than
 * silently choosing one.
 */
public final class JsonObject {
  /** The longest response accepted, in characters. */
  public static final int MAX_BYTES = 64 * 1024;

  /** How deeply arrays and objects may nest. */
  static final int MAX_DEPTH = 16;

  private final Map<String, String> members;

  private JsonObject(Map<String, String> members) {
    this.members = Collections.unmodifiableMap(members);
  }

  /**
   * Parses one JSON object, with nothing but white space around it.
   *
   * @throws JsonException if the text is longer than {@link #MAX_BYTES}, not a single JSON object,
   *     nests deeper than {@link #MAX_DEPTH}, or repeats a member
   */
  public static JsonObject parse(String text) throws JsonException {
    if (text.length() > MAX_BYTES) {
      throw new JsonException("longer than " + MAX_BYTES + " characters");
    }
    Parser p = new Parser(text);
    p.space();
    Map<String, String> members = p.object(0, true);
    p.space();
    if (p.pos != text.length()) {
      throw new JsonException("text after the object at offset " + p.pos);
    }
    return new JsonObject(members);
  }

  /** A member that is a JSON string. */
  public Optional<String> string(String name) {
    String v = members.get(name);
    return v != null && v.startsWith("\"") ? Optional.of(v.substring(1)) : Optional.empty();
  }

  /**
   * A member that is a whole non-negative number, or a string of one (some servers quote {@code
   * expires_in}).
   */
  public Optional<Long> wholeNumber(String name) {
    String v = members.get(name);
    if (v == null) {
      return Optional.empty();
    }
    String digits = v.startsWith("\"") ? v.substring(1) : v;
    if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(digits));
  }

  /** Whether the object has this member, whatever its value. */
  public boolean has(String name) {
    return members.containsKey(name);
  }

  /** Thrown when a text is not an acceptable JSON object; the message never quotes the text. */
  public static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  /**
   * Recursive descent over the text. Values are kept as text: a string as {@code "} followed by its
   * decoded content, any other scalar as written, a nested value as {@code null} (skipped).
   */
  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    Map<String, String> object(int depth, boolean keep) throws JsonException {
      expect('{');
      Map<String, String> out = keep ? new LinkedHashMap<>() : null;
      space();
      if (peek() == '}') {
        pos++;
        return out;
      }
      while (true) {
        space();
        String name = string();
        space();
        expect(':');
        space();
        String value = value(depth);
        if (keep) {
          if (out.containsKey(name)) {
            throw new JsonException("a member is repeated");
          }
          out.put(name, value);
        }
        space();
        char c = next();
        if (c == '}') {
          return out;
        }
        if (c != ',') {
          throw new JsonException("expected , or } at offset " + (pos - 1));
        }
      }
    }

    String value(int depth) throws JsonException {
      char c = peek();
      if (c == '"') {
        return "\"" + string();
      }
      if (c == '{' || c == '[') {
        if (depth + 1 >= MAX_DEPTH) {
          throw new JsonException("nested deeper than " + MAX_DEPTH);
        }
        if (c == '{') {
          object(depth + 1, false);
        } else {
          array(depth + 1);
        }
        return "";
      }
      int start = pos;
      if (s.startsWith("true", pos)) {
        pos += 4;
      } else if (s.startsWith("false", pos)) {
        pos += 5;
      } else if (s.startsWith("null", pos)) {
        pos += 4;
      } else {
        number();
      }
      return s.substring(start, pos);
    }

    void array(int depth) throws JsonException {
      expect('[');
      space();
      if (peek() == ']') {
        pos++;
        return;
      }
      while (true) {
        space();
        value(depth);
        space();
        char c = next();
        if (c == ']') {
          return;
        }
        if (c != ',') {
          throw new JsonException("expected , or ] at offset " + (pos - 1));
        }
      }
    }

    void number() throws JsonException {
      int start = pos;
      if (pos < s.length() && s.charAt(pos) == '-') {
        pos++;
      }
      int digits = pos;
      while (pos < s.length() && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
      if (pos == digits || !Character.isDigit(s.charAt(digits))) {
        throw new JsonException("unexpected character at offset " + start);
      }
    }

    String string() throws JsonException {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c < 0x20) {
          throw new JsonException("control character in a string at offset " + (pos - 1));
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw new JsonException("cut-off \\u escape at offset " + (pos - 2));
            }
            int cp = 0;
            for (int i = 0; i < 4; i++) {
              int d = Character.digit(s.charAt(pos++), 16);
              if (d < 0) {
                throw new JsonException("bad \\u escape at offset " + (pos - 1));
              }
              cp = cp * 16 + d;
            }
            b.append((char) cp);
          }
          default -> throw new JsonException("bad escape at offset " + (pos - 1));
        }
      }
    }

    void space() {
      while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    char peek() throws JsonException {
      if (pos >= s.length()) {
        throw new JsonException("ends early");
      }
      return s.charAt(pos);
    }

    char next() throws JsonException {
      char c = peek();
      pos++;
      return c;
    }

    void expect(char c) throws JsonException {
      if (next() != c) {
        throw new JsonException("expected " + c + " at offset " + (pos - 1));
      }
    }
  }
}
