package org.popfetch.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Mail addresses taken from header fields, as RFC 5322 writes them, and the rule for what may stand
 * in an envelope.
 *
 * <p>An address is taken only as it is literally written in the field: encoded-words (RFC 2047) are
 * never decoded, since RFC 2047 section 5 forbids them in addresses and a decoded one could carry
 * any byte. Only plain ASCII addr-specs are taken, a dot-atom or a quoted string without spaces
 * before the "@", a dot-atom or a domain literal after it, at most {@link #MAX_LENGTH} characters.
 * Anything else in a list (a group name, a display name, a comment) is skipped, and a member that
 * is not such an address is skipped whole, never cut down to one.
 */
public final class Addresses {
  /** The longest address taken: RFC 5321's 256-octet path less its angle brackets. */
  public static final int MAX_LENGTH = 254;

  /** Addresses taken from one field at most; a longer list is cut there. */
  public static final int MAX_COUNT = 1000;

  private Addresses() {}

  /**
   * The addresses of an address-list field body (To, From, Delivered-To...), in order, as written,
   * each a substring of {@code value}. Line breaks (folding) count as white space.
   *
   * @param value a field body as it came, folded or not, never decoded
   * @return the usable addresses, at most {@link #MAX_COUNT}; empty if none
   */
  public static List<String> parse(String value) {
    List<String> out = new ArrayList<>();
    Scanner s = new Scanner(value);
    while (!s.atEnd() && out.size() < MAX_COUNT) {
      s.member().ifPresent(out::add);
    }
    return out;
  }

  /**
   * Whether a Return-Path (or another path field) is the null path "&lt;&gt;", comments and white
   * space aside.
   */
  public static boolean isNullPath(String value) {
    Scanner s = new Scanner(value);
    s.skipCfws();
    if (!s.take('<')) {
      return false;
    }
    s.skipCfws();
    if (!s.take('>')) {
      return false;
    }
    s.skipCfws();
    return s.atEnd();
  }

  /**
   * Whether an address can stand in an envelope: between the angle brackets of an SMTP command and
   * in a line of the queue's files. It is at most {@link #MAX_LENGTH} characters and has no control
   * character (C0, DEL, C1), no white space or line separator, no invisible format character, no
   * "&lt;" or "&gt;" and no lone surrogate. Non-ASCII letters pass (SMTPUTF8). The empty string
   * does not: the null sender is the caller's business.
   */
  public static boolean isEnvelopeSafe(String address) {
    if (address.isEmpty() || address.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < address.length(); ) {
      int cp = address.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '<' || cp == '>' || isUnsafe(cp)) {
        return false;
      }
    }
    return true;
  }

  /** Whether text has a control character, a line or paragraph separator, or a lone surrogate. */
  public static boolean hasControl(String text) {
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isISOControl(cp)
          || cp == '\u2028'
          || cp == '\u2029'
          || Character.getType(cp) == Character.SURROGATE) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnsafe(int cp) {
    int type = Character.getType(cp);
    return Character.isISOControl(cp)
        || Character.isWhitespace(cp)
        || Character.isSpaceChar(cp)
        || type == Character.FORMAT
        || type == Character.SURROGATE
        || type == Character.UNASSIGNED
        || type == Character.PRIVATE_USE;
  }

  /** RFC 5322 atext: ASCII letters, digits and these. */
  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  /** Printable ASCII, no space. */
  private static boolean isVisible(char c) {
    return c > 0x20 && c < 0x7f;
  }

  /** Reads one address-list left to right; never looks back, so linear in the value's length. */
  private static final class Scanner {
    private final String v;
    private int pos;

    Scanner(String value) {
      this.v = value;
    }

    boolean atEnd() {
      return pos >= v.length();
    }

    boolean take(char c) {
      if (pos < v.length() && v.charAt(pos) == c) {
        pos++;
        return true;
      }
      return false;
    }

    /** White space (line breaks included) and comments, nested as RFC 5322 allows. */
    void skipCfws() {
      while (pos < v.length()) {
        char c = v.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          pos++;
        } else if (c == '(') {
          skipComment();
        } else {
          return;
        }
      }
    }

    private void skipComment() {
      int depth = 0;
      while (pos < v.length()) {
        char c = v.charAt(pos++);
        if (c == '\\') {
          pos++;
        } else if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          return;
        }
      }
    }

    private void skipQuoted() {
      pos++; // the opening quote
      while (pos < v.length()) {
        char c = v.charAt(pos++);
        if (c == '\\') {
          pos++;
        } else if (c == '"') {
          return;
        }
      }
    }

    /**
     * One member of the list, up to and including its "," (or a group's ":" or ";"). It yields an
     * address only if it is one angle-addr (with any display name before it) or one bare addr-spec,
     * comments aside.
     */
    Optional<String> member() {
      String angle = null;
      String bare = null;
      int words = 0;
      boolean broken = false;
      while (true) {
        skipCfws();
        if (atEnd()) {
          break;
        }
        char c = v.charAt(pos);
        if (c == ',' || c == ';' || c == ':') {
          pos++;
          if (c == ':') {
            // a group's name: what came before was no address, its members follow
            return Optional.empty();
          }
          break;
        }
        if (c == '<') {
          int close = v.indexOf('>', pos + 1);
          if (close < 0 || angle != null) {
            broken = true;
            pos = close < 0 ? v.length() : close + 1;
            continue;
          }
          angle = v.substring(pos + 1, close);
          pos = close + 1;
          continue;
        }
        if (angle != null) {
          broken = true; // words after the angle-addr
        }
        int start = pos;
        skipWord();
        if (pos == start) {
          pos++; // a stray ">" or ")"
          broken = true;
          continue;
        }
        bare = v.substring(start, Math.min(pos, v.length()));
        words++;
      }
      if (broken) {
        return Optional.empty();
      }
      String candidate = angle != null ? angle : words == 1 ? bare : null;
      return candidate != null && isAddrSpec(candidate) && isEnvelopeSafe(candidate)
          ? Optional.of(candidate)
          : Optional.empty();
    }

    /**
     * Moves past one word: it runs to white space, a comment or a list delimiter; "@", "." and a
     * quoted string's quotes belong to it, so a quoted local part stays with its domain.
     */
    private void skipWord() {
      boolean literal = false; // inside a domain literal, where an IPv6 address has colons
      while (pos < v.length()) {
        char d = v.charAt(pos);
        if (d == ' '
            || d == '\t'
            || d == '\r'
            || d == '\n'
            || d == '('
            || d == ','
            || d == ';'
            || d == '<'
            || d == '>'
            || (d == ':' && !literal)) {
          return;
        }
        if (d == '"') {
          skipQuoted();
          continue;
        }
        if (d == '[') {
          literal = true;
        } else if (d == ']') {
          literal = false;
        }
        pos++;
      }
    }
  }

  /** RFC 5322 addr-spec, ASCII, without white space, comments or quoted-pairs. */
  static boolean isAddrSpec(String s) {
    if (s.isEmpty() || s.length() > MAX_LENGTH) {
      return false;
    }
    int at = s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return false;
    }
    return isLocalPart(s.substring(0, at)) && isDomain(s.substring(at + 1));
  }

  private static boolean isLocalPart(String local) {
    if (local.length() >= 2 && local.charAt(0) == '"' && local.charAt(local.length() - 1) == '"') {
      for (int i = 1; i < local.length() - 1; i++) {
        char c = local.charAt(i);
        if (!isVisible(c) || c == '"' || c == '\\' || c == '<' || c == '>') {
          return false;
        }
      }
      return true;
    }
    // dot-atom, with the obsolete empty parts ("a..b", "a.") that real mail still has
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (!isAtext(c) && c != '.') {
        return false;
      }
    }
    return local.charAt(0) != '.';
  }

  private static boolean isDomain(String domain) {
    if (domain.charAt(0) == '[') {
      if (domain.length() < 3 || domain.charAt(domain.length() - 1) != ']') {
        return false;
      }
      for (int i = 1; i < domain.length() - 1; i++) {
        char c = domain.charAt(i);
        if (!isVisible(c) || c == '[' || c == ']' || c == '\\' || c == '<' || c == '>') {
          return false;
        }
      }
      return true;
    }
    boolean afterDot = true;
    for (int i = 0; i < domain.length(); i++) {
      char c = domain.charAt(i);
      if (c == '.') {
        if (afterDot) {
          return false;
        }
        afterDot = true;
      } else if (isAtext(c)) {
        afterDot = false;
      } else {
        return false;
      }
    }
    return !afterDot;
  }
}
