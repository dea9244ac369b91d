package org.popfetch.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.popfetch.net.LogText;

/**
 * What the service answers to one request: lines for the client's standard output and standard
 * error, in order, then the client's exit status. On the wire: "out TEXT", "err TEXT", ... then
 * "exit N", each ended by LF, UTF-8; every TEXT escaped by {@link LogText}, so it holds no line
 * break or control character.
 */
public final class ControlReply {
  /** A reply line's text is cut to this many characters. */
  public static final int MAX_TEXT = 4_000;

  /** At most this many lines; a reply about even thousands of accounts stays well below. */
  public static final int MAX_LINES = 20_000;

  private final List<String> lines = new ArrayList<>();
  private int dropped;

  /** A line for the client's standard output. */
  public synchronized void out(String text) {
    add("out ", text);
  }

  /** A line for the client's standard error. */
  public synchronized void err(String text) {
    add("err ", text);
  }

  private void add(String kind, String text) {
    if (lines.size() >= MAX_LINES - 1) {
      dropped++;
      return;
    }
    lines.add(kind + LogText.sanitize(text, MAX_TEXT));
  }

  /** The reply as it goes on the wire, ending with {@code status}. */
  synchronized byte[] wire(int status) {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l).append('\n');
    }
    if (dropped > 0) {
      sb.append("err popfetch: ").append(dropped).append(" more line(s) left out\n");
    }
    sb.append("exit ").append(status).append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
