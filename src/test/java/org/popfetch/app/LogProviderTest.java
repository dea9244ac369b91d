package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's SLF4J provider: logback, configured as logback's own start configures it. */
class LogProviderTest {
  @TempDir Path dir;

  @Test
  void theContextIsStartedWithPopfetchsLogConfiguration() {
    LogProvider provider = new LogProvider();
    provider.initialize();

    LoggerContext context = (LoggerContext) provider.getLoggerFactory();
    assertThat(context.isStarted()).isTrue();
    assertThat(context.getName()).isEqualTo(CoreConstants.DEFAULT_CONTEXT_NAME);
    assertThat(context.getMDCAdapter()).isSameAs(provider.getMDCAdapter());
    assertThat(provider.getMarkerFactory()).isNotNull();
    assertThat(provider.getRequestedApiVersion()).startsWith("2.");
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(root.getAppender(LogConfiguration.APPENDER))
        .isInstanceOfSatisfying(
            ConsoleAppender.class,
            a -> {
              assertThat(a.getTarget()).isEqualTo("System.err");
              assertThat(a.isStarted()).isTrue();
              assertThat(((LayoutWrappingEncoder<?>) a.getEncoder()).getLayout())
                  .isInstanceOf(LogLineLayout.class);
            });
    assertThat(context.getLogger("org.quartz").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("com.icegreen").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void aLogbackPropertyLeavesTheStartToLogback() throws Exception {
    Path json = Files.copy(Path.of("conf/logback-json.xml"), dir.resolve("logback-json.xml"));
    String before = System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY);
    System.setProperty(ContextInitializer.CONFIG_FILE_PROPERTY, json.toString());
    try {
      LogProvider provider = new LogProvider();
      provider.initialize();

      LoggerContext context = (LoggerContext) provider.getLoggerFactory();
      assertThat(context.isStarted()).isTrue();
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertThat(root.getAppender("JSON")).isNotNull();
      assertThat(root.getAppender(LogConfiguration.APPENDER)).isNull();
    } finally {
      if (before == null) {
        System.clearProperty(ContextInitializer.CONFIG_FILE_PROPERTY);
      } else {
        System.setProperty(ContextInitializer.CONFIG_FILE_PROPERTY, before);
      }
    }
  }
}
