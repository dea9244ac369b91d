package org.popfetch.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BackoffTest {
  @Test
  void theWaitDoublesIsCappedAndIsLoggedOncePerReason() {
    Logger logger = (Logger) LoggerFactory.getLogger(Backoff.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      Instant t = Instant.parse("2026-11-27T10:00:00Z");
      Backoff b = new Backoff("work", Duration.ofMinutes(5));
      assertThat(b.due(t)).isTrue();
      b.failed("login refused", t);
      assertThat(b.due(t.plus(Duration.ofMinutes(4)))).isFalse();
      assertThat(b.due(t.plus(Duration.ofMinutes(5)))).isTrue();
      b.failed("login refused", t);
      assertThat(b.due(t.plus(Duration.ofMinutes(9)))).isFalse();
      assertThat(b.due(t.plus(Duration.ofMinutes(10)))).isTrue();
      for (int i = 0; i < 10; i++) {
        b.failed("login refused", t);
      }
      assertThat(b.due(t.plus(Duration.ofMinutes(59)))).isFalse();
      assertThat(b.due(t.plus(Duration.ofMinutes(60)))).isTrue();
      assertThat(events.list)
          .filteredOn(e -> e.getFormattedMessage().contains("backing off"))
          .hasSize(1);
      b.succeeded();
      assertThat(b.due(t)).isTrue();
      assertThat(b.failures()).isZero();
    } finally {
      logger.detachAppender(events);
    }
  }
}
