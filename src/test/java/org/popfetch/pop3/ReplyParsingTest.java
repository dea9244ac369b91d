package org.popfetch.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Status lines, "+OK n octets" and LIST lines are taken apart by hand ({@link Words}), as they are
 * on every reply and every listing line. Each is held here to what the regular expressions it
 * replaced made of the same line, over the lines servers send and many they should not.
 */
class ReplyParsingTest {
  private static final Pattern CODE =
      Pattern.compile("^\\[([\\x21-\\x5c\\x5e-\\x7e]{1,64})\\]\\s*");

  /** The status line parser as it was, with a regular expression for the response code. */
  private static Optional<Pop3Reply> referenceParse(String line) {
    String rest;
    boolean ok;
    if (line.startsWith("+OK") && (line.length() == 3 || line.charAt(3) == ' ')) {
      ok = true;
      rest = line.substring(3);
    } else if (line.startsWith("-ERR") && (line.length() == 4 || line.charAt(4) == ' ')) {
      ok = false;
      rest = line.substring(4);
    } else {
      return Optional.empty();
    }
    rest = rest.stripLeading();
    Optional<String> code = Optional.empty();
    Matcher m = CODE.matcher(rest);
    if (m.find()) {
      code = Optional.of(m.group(1));
      rest = rest.substring(m.end());
    }
    return Optional.of(new Pop3Reply(ok, rest, code));
  }

  private static OptionalLong referenceOctets(Pop3Reply reply) {
    String[] words = reply.text().strip().split("\\s+", 3);
    if (words.length < 2
        || words[0].isEmpty()
        || words[0].length() > 18
        || !words[0].chars().allMatch(c -> c >= '0' && c <= '9')
        || !words[1].toLowerCase(Locale.ROOT).startsWith("octet")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(words[0]));
  }

  /** The first two words as the LIST parser split them, or fewer. */
  private static List<String> referenceWords(String line) {
    String[] words = line.strip().split("\\s+");
    return words.length < 2 ? List.of() : List.of(words[0], words[1]);
  }

  private static List<String> words(String line) {
    int start = Words.start(line);
    int end = Words.end(line, start);
    int firstEnd = Words.wordEnd(line, start, end);
    int second = Words.nextWord(line, firstEnd, end);
    if (second == end) {
      return List.of();
    }
    return List.of(
        line.substring(start, firstEnd), line.substring(second, Words.wordEnd(line, second, end)));
  }

  private static List<String> lines() {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "+OK",
                "+OK ",
                "-ERR",
                "+OKAY",
                "-ERRor",
                "+OK 1234 octets",
                "+OK 1234 OCTETS follow",
                "+OK\t1234\toctets",
                "+OK  1234   Octets",
                "+OK 1234",
                "+OK octets 1234",
                "+OK 1234567890123456789 octets",
                "+OK 123456789012345678 octets",
                "+OK -5 octets",
                "-ERR [IN-USE] mailbox locked",
                "-ERR [SYS/TEMP]try later",
                "-ERR [] empty",
                "-ERR [" + "X".repeat(64) + "] longest",
                "-ERR [" + "X".repeat(65) + "] too long",
                "-ERR [A B] space",
                "-ERR [A]]",
                "-ERR [\u00e9] latin-1",
                "-ERR [AUTH]",
                "-ERR [AUTH]\t\u000b\f text",
                "+OK \u001c12 octets\u001c",
                "1 120",
                "  1   120  ",
                "1\t120\textra words",
                "1",
                "",
                "   ",
                "1 -120",
                "-1 120",
                "x 120",
                "1 12x",
                "1\u00a0120",
                "1\u001c120 7"));
    Random random = new Random(13);
    char[] alphabet = {
      ' ', '\t', '\u000b', '\f', '\r', '\u001c', '\u00a0', '[', ']', '-', '+', 'O', 'K', 'E', 'R',
      'o', 'c', 't', 'e', 's', '1', '9', '0', 'X', '\u00e9'
    };
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder(random.nextBoolean() ? "+OK " : "-ERR ");
      if (random.nextInt(3) == 0) {
        sb.setLength(0);
      }
      int len = random.nextInt(30);
      for (int k = 0; k < len; k++) {
        sb.append(alphabet[random.nextInt(alphabet.length)]);
      }
      lines.add(sb.toString());
    }
    return lines;
  }

  @Test
  void statusLinesParseAsTheRegularExpressionDid() {
    for (String line : lines()) {
      assertThat(Pop3Reply.parse(line)).as("%s", line).isEqualTo(referenceParse(line));
    }
  }

  @Test
  void announcedOctetsAreReadAsTheRegularExpressionDid() {
    for (String line : lines()) {
      Optional<Pop3Reply> reply = referenceParse(line);
      if (reply.isPresent()) {
        assertThat(SizeCheck.octetsIn(reply.get()))
            .as("%s", line)
            .isEqualTo(referenceOctets(reply.get()));
      }
      Pop3Reply asText = new Pop3Reply(true, line, Optional.empty());
      assertThat(SizeCheck.octetsIn(asText)).as("%s", line).isEqualTo(referenceOctets(asText));
    }
  }

  @Test
  void listingLinesSplitAsTheRegularExpressionDid() {
    for (String line : lines()) {
      assertThat(words(line)).as("%s", line).isEqualTo(referenceWords(line));
    }
  }

  @Test
  void numbersAreAsciiDigitsOnlyAndAtMostEighteen() {
    assertThat(Words.number("0", 0, 1)).isZero();
    assertThat(Words.number("123456789012345678", 0, 18)).isEqualTo(123456789012345678L);
    assertThat(Words.number("1234567890123456789", 0, 19)).isEqualTo(-1);
    assertThat(Words.number("", 0, 0)).isEqualTo(-1);
    assertThat(Words.number("-1", 0, 2)).isEqualTo(-1);
    assertThat(Words.number("1x", 0, 2)).isEqualTo(-1);
    assertThat(Words.number("\u0661", 0, 1)).as("an Arabic-Indic one").isEqualTo(-1);
  }
}
