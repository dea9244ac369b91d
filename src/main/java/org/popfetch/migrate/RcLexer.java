package org.popfetch.migrate;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@code .fetchmailrc} into words as fetchmail's own scanner does: blanks and the
 * punctuation {@code , : ;} separate and mean nothing, {@code #} starts a comment to the end of the
 * line, {@code =} is a word of its own (a name mapping), and strings in double or single quotes
 * take the escapes {@code \n \t \r \b \f \\ \" \'}, {@code \xHH} and octal {@code \NNN}.
 *
 * <p>Bounded: a word longer than {@value #MAX_TOKEN} characters or more than {@value #MAX_TOKENS}
 * words end the scan with an error naming the line.
 */
final class RcLexer {
  static final int MAX_TOKEN = 8192;
  static final int MAX_TOKENS = 200_000;

  private final String file;
  private final String text;
  private int pos;
  private int line = 1;

  private RcLexer(String file, String text) {
    this.file = file;
    this.text = text;
  }

  /**
   * The words of {@code text}, in order.
   *
   * @param file the name used in errors
   * @throws RcSyntaxException for an unterminated string or a word or file over the bounds
   */
  static List<RcToken> tokens(String file, String text) throws RcSyntaxException {
    return new RcLexer(file, text).scan();
  }

  private List<RcToken> scan() throws RcSyntaxException {
    List<RcToken> out = new ArrayList<>();
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '\n') {
        line++;
        pos++;
      } else if (Character.isWhitespace(c) || c == ',' || c == ':' || c == ';') {
        pos++;
      } else if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        if (out.size() >= MAX_TOKENS) {
          throw new RcSyntaxException(file, line, "more than " + MAX_TOKENS + " words");
        }
        if (c == '=') {
          out.add(new RcToken("=", false, line));
          pos++;
        } else if (c == '"' || c == '\'') {
          out.add(string(c));
        } else {
          out.add(word());
        }
      }
    }
    return out;
  }

  private RcToken word() throws RcSyntaxException {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isWhitespace(c)
          || c == ','
          || c == ':'
          || c == ';'
          || c == '='
          || c == '"'
          || c == '\'') {
        break;
      }
      pos++;
    }
    if (pos - start > MAX_TOKEN) {
      throw new RcSyntaxException(file, line, "a word longer than " + MAX_TOKEN + " characters");
    }
    return new RcToken(text.substring(start, pos), false, line);
  }

  private RcToken string(char quote) throws RcSyntaxException {
    int startLine = line;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw new RcSyntaxException(
            file, startLine, "a string that is never closed (" + quote + ")");
      }
      if (sb.length() > MAX_TOKEN) {
        throw new RcSyntaxException(
            file, startLine, "a string longer than " + MAX_TOKEN + " characters");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return new RcToken(sb.toString(), true, startLine);
      }
      if (c == '\n') {
        line++;
      }
      if (c != '\\' || pos >= text.length()) {
        sb.append(c);
        continue;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'x', 'X' -> sb.append((char) digits(16, 2, e));
        default -> {
          if (e >= '0' && e <= '7') {
            pos--;
            sb.append((char) (digits(8, 3, 0) & 0xff));
          } else {
            if (e == '\n') {
              line++;
            }
            sb.append(e);
          }
        }
      }
    }
  }

  /** Up to {@code max} digits of {@code radix} at pos, as a number ({@code none} if none). */
  private int digits(int radix, int max, int none) {
    int value = 0;
    int n = 0;
    while (n < max && pos < text.length() && Character.digit(text.charAt(pos), radix) >= 0) {
      value = value * radix + Character.digit(text.charAt(pos), radix);
      pos++;
      n++;
    }
    return n == 0 ? none : value;
  }
}
