package org.popfetch.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The start of a log line: on a terminal or in a file, the time ("20:31:02.114 "); when standard
 * error is systemd's journal stream, the event's syslog priority instead ("&lt;4&gt;", see
 * sd-daemon(3)), which journald strips and files the line under, so {@code journalctl -p warning}
 * finds warnings. The journal stamps its own time.
 *
 * <p>The journal is recognised as systemd says to: {@code $JOURNAL_STREAM} names the device and
 * inode of the stream, and it must be the one standard error is (a program started from a service
 * inherits the variable but may write elsewhere).
 */
public final class JournalPrefixConverter extends ClassicConverter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS ").withZone(ZoneId.systemDefault());

  private static final boolean JOURNAL = toJournal(System.getenv(), Path.of("/proc/self/fd/2"));

  @Override
  public String convert(ILoggingEvent event) {
    if (JOURNAL) {
      return "<" + priority(event.getLevel()) + ">";
    }
    return TIME.format(Instant.ofEpochMilli(event.getTimeStamp()));
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
