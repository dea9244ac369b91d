package org.popfetch.app;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TimeZone;

/**
 * The start of a log line: on a terminal or in a file, the local time ("20:31:02.114 "); when
 * standard error is systemd's journal stream, the event's syslog priority instead ("&lt;4&gt;", see
 * sd-daemon(3)), which journald strips and files the line under, so {@code journalctl -p warning}
 * finds warnings. The journal stamps its own time.
 *
 * <p>The journal is recognised as systemd says to: {@code $JOURNAL_STREAM} names the device and
 * inode of the stream, and it must be the one standard error is (a program started from a service
 * inherits the variable but may write elsewhere).
 *
 * <p>The time is worked out from the zone's offset, not with a {@code DateTimeFormatter}: building
 * one from a pattern parses it with java.time's formatter builder, a hundred-odd classes set up at
 * every start for five numbers.
 */
final class LinePrefix {
  private static final int MILLIS_PER_DAY = 86_400_000;

  private final boolean journal;
  private final TimeZone zone;

  LinePrefix(boolean journal, TimeZone zone) {
    this.journal = journal;
    this.zone = zone;
  }

  /** The prefix for this process: the journal's if standard error is the journal's stream. */
  static LinePrefix forThisProcess() {
    return new LinePrefix(
        toJournal(System.getenv(), Path.of("/proc/self/fd/2")), TimeZone.getDefault());
  }

  /** Appends the prefix of an event at {@code millis} (since the epoch) with {@code level}. */
  void appendTo(StringBuilder line, long millis, Level level) {
    if (journal) {
      line.append('<').append(priority(level)).append('>');
      return;
    }
    int ms = (int) Math.floorMod(millis + zone.getOffset(millis), (long) MILLIS_PER_DAY);
    twoDigits(line, ms / 3_600_000).append(':');
    twoDigits(line, ms / 60_000 % 60).append(':');
    twoDigits(line, ms / 1000 % 60).append('.');
    int fraction = ms % 1000;
    if (fraction < 100) {
      line.append('0');
    }
    twoDigits(line, fraction).append(' ');
  }

  private static StringBuilder twoDigits(StringBuilder line, int n) {
    if (n < 10) {
      line.append('0');
    }
    return line.append(n);
  }

  /** syslog's priorities: err 3, warning 4, info 6, debug 7. */
  static int priority(Level level) {
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return 3;
    } else if (level.isGreaterOrEqual(Level.WARN)) {
      return 4;
    } else if (level.isGreaterOrEqual(Level.INFO)) {
      return 6;
    }
    return 7;
  }

  /**
   * Whether {@code stderr} (a /proc fd link) is the stream {@code $JOURNAL_STREAM} ("DEV:INODE")
   * names: the link reads "socket:[INODE]" for a socket.
   */
  static boolean toJournal(Map<String, String> env, Path stderr) {
    String stream = env.get("JOURNAL_STREAM");
    if (stream == null || stream.indexOf(':') < 0) {
      return false;
    }
    String inode = stream.substring(stream.indexOf(':') + 1);
    try {
      return Files.readSymbolicLink(stderr).toString().equals("socket:[" + inode + "]");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
