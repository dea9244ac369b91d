package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalPrefixConverterTest {
  @TempDir Path dir;

  @Test
  void levelsBecomeSyslogPriorities() {
    assertThat(JournalPrefixConverter.priority(Level.ERROR)).isEqualTo(3);
    assertThat(JournalPrefixConverter.priority(Level.WARN)).isEqualTo(4);
    assertThat(JournalPrefixConverter.priority(Level.INFO)).isEqualTo(6);
    assertThat(JournalPrefixConverter.priority(Level.DEBUG)).isEqualTo(7);
    assertThat(JournalPrefixConverter.priority(Level.TRACE)).isEqualTo(7);
  }

  @Test
  void theJournalIsStandardErrorOnlyWhenItIsTheStreamJournalStreamNames() throws Exception {
    Path stderr = dir.resolve("2");
    Files.createSymbolicLink(stderr, Path.of("socket:[4711]"));
    assertThat(JournalPrefixConverter.toJournal(Map.of("JOURNAL_STREAM", "8:4711"), stderr))
        .isTrue();
    assertThat(JournalPrefixConverter.toJournal(Map.of("JOURNAL_STREAM", "8:4712"), stderr))
        .as("inherited from a service, but standard error went elsewhere")
        .isFalse();
    assertThat(JournalPrefixConverter.toJournal(Map.of(), stderr)).isFalse();
    assertThat(JournalPrefixConverter.toJournal(Map.of("JOURNAL_STREAM", "junk"), stderr))
        .isFalse();
    Path tty = dir.resolve("tty");
    Files.createSymbolicLink(tty, Path.of("/dev/pts/0"));
    assertThat(JournalPrefixConverter.toJournal(Map.of("JOURNAL_STREAM", "8:4711"), tty)).isFalse();
  }
}
