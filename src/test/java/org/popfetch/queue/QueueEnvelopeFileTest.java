package org.popfetch.queue;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The envelope file on disk: what is written reads back the same, and a damaged one is never taken. */
class QueueEnvelopeFileTest {
  @TempDir Path dir;
  MailQueue queue;

  @BeforeEach
  void open() throws IOException {
    queue = new MailQueue(dir.resolve("queue"), Clock.systemUTC());
  }

  private static QueueEntry sample() {
    Map<String, QueueEntry.Status> rcpts = new LinkedHashMap<>();
    rcpts.put("bob@example.org", new QueueEntry.Status(QueueEntry.State.DELIVERED, "250 2.0.0 ok"));
    rcpts.put("carol@example.org", QueueEntry.Status.PENDING);
    rcpts.put("dave@example.org", new QueueEntry.Status(QueueEntry.State.PENDING, "452 4.2.2 over quota"));
    return new QueueEntry("ID1", "alice@example.org", rcpts, "relay", Instant.parse("2026-11-27T10:00:00Z"), 2,
        "452 4.2.2 over quota", true);
  }

  @Test
  void anEnvelopeCutAtAnyByteIsMovedToCorruptWithALogLineNeverReadWithFewerRecipients() throws Exception {
    byte[] whole = sample().format();
    assertThat(QueueEntry.parse("ID1", whole)).isEqualTo(sample());
    Logger logger = (Logger) LoggerFactory.getLogger(MailQueue.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      for (int cut = 0; cut < whole.length; cut++) {
        byte[] part = Arrays.copyOf(whole, cut);
        assertThatThrownBy(() -> QueueEntry.parse("ID1", part)).as("cut at %d: %s", cut, new String(part, US_ASCII))
            .isInstanceOf(IOException.class);
        Files.write(dir.resolve("queue/deferred/ID1"), part);
        Files.write(dir.resolve("queue/data/ID1"), new byte[] {'x'});
        events.list.clear();
        assertThat(queue.entries()).as("cut at %d", cut).isEmpty();
        assertThat(dir.resolve("queue/corrupt/ID1.env")).as("cut at %d", cut).hasBinaryContent(part);
        assertThat(dir.resolve("queue/corrupt/ID1.msg")).exists();
        assertThat(events.list).as("cut at %d", cut).singleElement().satisfies(e ->
            assertThat(e.getFormattedMessage()).contains("ID1").contains("damaged").contains("corrupt"));
        Files.delete(dir.resolve("queue/corrupt/ID1.env"));
        Files.delete(dir.resolve("queue/corrupt/ID1.msg"));
      }
    } finally {
      logger.detachAppender(events);
    }
  }
}
