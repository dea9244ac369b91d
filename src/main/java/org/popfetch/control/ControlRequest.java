package org.popfetch.control;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.popfetch.net.PercentText;

/**
 * One command for the service: a verb and its words, sent as one line: the verb, then each word
 * percent-encoded ({@link PercentText}), separated by single spaces, ended by LF. An account name
 * with a space or a line break in it cannot split or end the line.
 *
 * @param verb what to do: {@code poll}, {@code flush}, {@code reload}, {@code status}
 * @param words its arguments (account names, a queue id)
 */
public record ControlRequest(String verb, List<String> words) {
  /** A request line is at most this long (a few hundred account names fit). */
  public static final int MAX_LINE = 16 * 1024;

  /** At most this many words after the verb. */
  public static final int MAX_WORDS = 1_000;

  private static final Pattern VERB = Pattern.compile("[a-z]{1,16}");

  public ControlRequest {
    if (!VERB.matcher(verb).matches()) {
      throw new IllegalArgumentException("not a verb: " + verb);
    }
    words = List.copyOf(words);
  }

  public static ControlRequest of(String verb, List<String> words) {
    return new ControlRequest(verb, words == null ? List.of() : words);
  }

  /** The request as it goes on the wire, LF included. */
  public String line() {
    StringBuilder sb = new StringBuilder(verb);
    for (String w : words) {
      sb.append(' ').append(PercentText.encode(w));
    }
    return sb.append('\n').toString();
  }

  /**
   * Reads a request line (without its LF).
   *
   * @throws IOException if it is not one: an unknown-looking verb, too many words, a word that is
   *     not in the one spelling {@link PercentText} allows
   */
  public static ControlRequest parse(String line) throws IOException {
    if (line.length() > MAX_LINE) {
      throw new IOException("request longer than " + MAX_LINE + " octets");
    }
    String[] parts = line.split(" ", -1);
    if (!VERB.matcher(parts[0]).matches()) {
      throw new IOException("not a command");
    }
    if (parts.length - 1 > MAX_WORDS) {
      throw new IOException("more than " + MAX_WORDS + " words");
    }
    List<String> words = new ArrayList<>(parts.length - 1);
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].isEmpty()) {
        throw new IOException("empty word");
      }
      words.add(PercentText.decode(parts[i]));
    }
    return new ControlRequest(parts[0], words);
  }
}
