package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinePrefixTest {
  @TempDir Path dir;

  @Test
  void levelsBecomeSyslogPriorities() {
    assertThat(LinePrefix.priority(Level.ERROR)).isEqualTo(3);
    assertThat(LinePrefix.priority(Level.WARN)).isEqualTo(4);
    assertThat(LinePrefix.priority(Level.INFO)).isEqualTo(6);
    assertThat(LinePrefix.priority(Level.DEBUG)).isEqualTo(7);
    assertThat(LinePrefix.priority(Level.TRACE)).isEqualTo(7);
  }

  @Test
  void theJournalIsStandardErrorOnlyWhenItIsTheStreamJournalStreamNames() throws Exception {
    Path stderr = dir.resolve("2");
    Files.createSymbolicLink(stderr, Path.of("socket:[4711]"));
    assertThat(LinePrefix.toJournal(Map.of("JOURNAL_STREAM", "8:4711"), stderr)).isTrue();
    assertThat(LinePrefix.toJournal(Map.of("JOURNAL_STREAM", "8:4712"), stderr))
        .as("inherited from a service, but standard error went elsewhere")
        .isFalse();
    assertThat(LinePrefix.toJournal(Map.of(), stderr)).isFalse();
    assertThat(LinePrefix.toJournal(Map.of("JOURNAL_STREAM", "junk"), stderr)).isFalse();
    Path tty = dir.resolve("tty");
    Files.createSymbolicLink(tty, Path.of("/dev/pts/0"));
    assertThat(LinePrefix.toJournal(Map.of("JOURNAL_STREAM", "8:4711"), tty)).isFalse();
  }

  @Test
  void theTimeIsLocalHoursMinutesSecondsAndMillisecondsAsTheFormatterWritesThem() {
    for (String id : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"}) {
      TimeZone zone = TimeZone.getTimeZone(id);
      DateTimeFormatter formatter =
          DateTimeFormatter.ofPattern("HH:mm:ss.SSS ").withZone(ZoneId.of(id));
      // Midnight, a summer and a winter afternoon, before 1970, one-digit milliseconds.
      for (long millis :
          new long[] {0L, 1_719_839_462_007L, 1_733_065_862_114L, -1_000_000_123L, 86_399_999L}) {
        StringBuilder line = new StringBuilder();
        new LinePrefix(false, zone).appendTo(line, millis, Level.INFO);
        assertThat(line.toString())
            .as("%s at %d", id, millis)
            .isEqualTo(formatter.format(Instant.ofEpochMilli(millis)));
      }
    }
  }

  @Test
  void toTheJournalTheLineStartsWithThePriorityAndNoTime() {
    StringBuilder line = new StringBuilder();
    new LinePrefix(true, TimeZone.getTimeZone("UTC")).appendTo(line, 0L, Level.WARN);
    assertThat(line.toString()).isEqualTo("<4>");
  }
}
