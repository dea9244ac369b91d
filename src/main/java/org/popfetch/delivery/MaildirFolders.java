package org.popfetch.delivery;

import com.google.re2j.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maildir++ folder names, possibly built from what a message says ("Lists.$1" with $1 taken from a
 * List-Id). Whatever the message says, the folder stays inside the Maildir: each dot-separated part
 * is cleaned of "/", "\", control characters and leading dots, empty parts and ".." are refused,
 * and the result must be a direct child of the Maildir root.
 */
final class MaildirFolders {
  static final int MAX_NAME = 200;

  private MaildirFolders() {}

  /** The template with $1..$9 replaced from the match (an absent group becomes ""). */
  static String expand(String template, Matcher match) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '$' && i + 1 < template.length() && Character.isDigit(template.charAt(i + 1))) {
        int g = template.charAt(++i) - '0';
        String value = match != null && g <= match.groupCount() ? match.group(g) : null;
        sb.append(value == null ? "" : value);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * The folder's directory under {@code root} (".Lists.dev"), or empty if the name cannot be made
   * safe; the caller then delivers to the Maildir's INBOX and says so.
   */
  static Optional<Path> resolve(Path root, String folder) {
    List<String> parts = new ArrayList<>();
    for (String raw : folder.split("\\.", -1)) {
      StringBuilder part = new StringBuilder();
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        part.append(
            Character.isISOControl(c)
                    || c == '/'
                    || c == '\\'
                    || Character.isWhitespace(c) && c != ' '
                ? '_'
                : c);
      }
      String p = part.toString().strip();
      if (p.isEmpty()) {
        return Optional.empty(); // "a..b", a leading or trailing dot, or ".."
      }
      parts.add(p);
    }
    String name = "." + String.join(".", parts);
    if (name.length() > MAX_NAME || parts.isEmpty()) {
      return Optional.empty();
    }
    Path dir = root.resolve(name).normalize();
    if (!dir.getParent().equals(root.normalize())) {
      return Optional.empty();
    }
    return Optional.of(dir);
  }
}
