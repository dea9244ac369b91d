package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The warm-up thread starts for a one-shot poll and for nothing else, and leaves logging set up.
 */
class StartupWarmUpTest {
  @Test
  void onlyPollWarmsUp() {
    assertThat(StartupWarmUp.startFor("status")).isEmpty();
    assertThat(StartupWarmUp.startFor("--help")).isEmpty();
    assertThat(StartupWarmUp.startFor()).isEmpty();
  }

  @Test
  void aPollWarmsUpOnADaemonThreadThatEndsWithLoggingConfigured() throws InterruptedException {
    Optional<Thread> warmUp = StartupWarmUp.startFor("poll", "--config", "popfetch.yaml");

    assertThat(warmUp).hasValueSatisfying(t -> assertThat(t.isDaemon()).isTrue());
    warmUp.get().join(30_000);
    assertThat(warmUp.get().isAlive()).isFalse();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(
            context
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .getAppender(LogConfiguration.APPENDER))
        .isNotNull();
  }
}
