package org.popfetch.migrate;

import java.util.List;
import java.util.stream.Collectors;
import org.popfetch.net.LogText;

/** Writing values taken from another tool's file into YAML text, safely quoted. */
final class YamlText {
  private YamlText() {}

  /**
   * A YAML double-quoted scalar holding exactly {@code s}: backslash and quote escaped, every
   * control character, DEL, C1 control and line or paragraph separator as an escape, so that
   * nothing in it can end the scalar, the line or the document.
   */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20
          || c == 0x7f
          || (c >= 0x80 && c < 0xa0)
          || c == 0x2028
          || c == 0x2029
          || c == 0xfeff) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** A flow list of quoted scalars: {@code ["a", "b"]}. */
  static String list(List<String> items) {
    return items.stream().map(YamlText::quote).collect(Collectors.joining(", ", "[", "]"));
  }

  /** Text for a YAML comment: one line, escaped as for a terminal. */
  static String comment(String s) {
    return LogText.sanitize(s, 300);
  }
}
