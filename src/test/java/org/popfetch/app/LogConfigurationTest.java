package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The log as logback sets it up when popfetch starts, with no configuration file: the one line per
 * event that logback.xml described, and a file named on the command line still in charge.
 */
class LogConfigurationTest {
  @TempDir Path dir;

  @Test
  void popfetchConfiguresTheLogWhenLogbackStarts() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(root.getAppender(LogConfiguration.APPENDER))
        .isInstanceOfSatisfying(
            ConsoleAppender.class, a -> assertThat(a.getTarget()).isEqualTo("System.err"));
    assertThat(context.getLogger("org.quartz").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("com.icegreen").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void aLineIsTimeLevelShortLoggerAndEscapedMessage() {
    LoggerContext context = new LoggerContext();
    new LogConfiguration().configure(context);
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    ConsoleAppender<ILoggingEvent> stderr =
        (ConsoleAppender<ILoggingEvent>) root.getAppender(LogConfiguration.APPENDER);
    LoggingEvent event =
        new LoggingEvent(
            "x",
            context.getLogger("org.popfetch.fetch.AccountPoll"),
            Level.WARN,
            "a1: server said {}",
            null,
            new Object[] {"\u001b]0;pwned\u0007"});

    String line = new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8);

    assertThat(line)
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d WARN  o\\.p\\.f\\.AccountPoll - a1: server said"
                + " \\\\x1b]0;pwned\\\\x07\\R");
  }

  @Test
  void aStackTraceFollowsTheLineWithEachLineEscaped() {
    LoggerContext context = new LoggerContext();
    ConsoleAppender<ILoggingEvent> stderr = configured(context);
    LoggingEvent event =
        new LoggingEvent(
            "x",
            context.getLogger("org.popfetch.app.PollCommand"),
            Level.ERROR,
            "a1: failed",
            new IllegalStateException("server said \u001b[2J"),
            null);

    String[] lines =
        new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8).split("\\R");

    assertThat(lines[0])
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d ERROR o\\.p\\.app\\.PollCommand - a1: failed");
    assertThat(lines[1]).isEqualTo("java.lang.IllegalStateException: server said \\x1b[2J");
    assertThat(lines[2]).startsWith("\tat org.popfetch.app.LogConfigurationTest.");
  }

  @Test
  void aLineIsTheLevelPaddedToFiveAndTheLoggerShortened() {
    LoggerContext context = new LoggerContext();
    ConsoleAppender<ILoggingEvent> stderr = configured(context);
    LoggingEvent event =
        new LoggingEvent(
            "x", context.getLogger("org.popfetch.pop3.Pop3Client"), Level.INFO, "hi", null, null);

    assertThat(new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8))
        .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d INFO  o\\.p\\.pop3\\.Pop3Client - hi\\R");
  }

  @Test
  void levelAndLoggerAreWhatLogbacksPatternMadeOfThem() {
    LoggerContext context = new LoggerContext();
    PatternLayout pattern = new PatternLayout();
    pattern.setPattern("%-5level %logger{20} - %msg%n");
    pattern.setContext(context);
    pattern.start();
    LogLineLayout layout = new LogLineLayout(new LinePrefix(true, TimeZone.getTimeZone("UTC")));
    layout.setContext(context);
    layout.start();
    for (String name :
        List.of(
            "org.popfetch.fetch.AccountPoll",
            "org.popfetch.pop3.Pop3Client",
            "org.popfetch.delivery.MaildirDestination",
            "org.quartz.impl.jdbcjobstore.JobStoreTX",
            "popfetch",
            "a.b")) {
      for (Level level : List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE)) {
        LoggingEvent event =
            new LoggingEvent("x", context.getLogger(name), level, "m {}", null, new Object[] {1});
        String line = layout.doLayout(event);
        assertThat(line.substring(line.indexOf('>') + 1)).isEqualTo(pattern.doLayout(event));
      }
    }
  }

  @Test
  void aConfigurationFileNamedOnTheCommandLineIsLeftToLogback() throws IOException, JoranException {
    Path json = Files.copy(Path.of("conf/logback-json.xml"), dir.resolve("logback-json.xml"));
    String before = System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY);
    System.setProperty(ContextInitializer.CONFIG_FILE_PROPERTY, json.toString());
    try {
      LoggerContext context = new LoggerContext();
      LogConfiguration configuration = new LogConfiguration();
      configuration.setContext(context);
      assertThat(configuration.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);

      new ContextInitializer(context).autoConfig();

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

  /** The standard-error appender {@link LogConfiguration} sets up in {@code context}. */
  @SuppressWarnings("unchecked")
  private static ConsoleAppender<ILoggingEvent> configured(LoggerContext context) {
    new LogConfiguration().configure(context);
    return (ConsoleAppender<ILoggingEvent>)
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LogConfiguration.APPENDER);
  }
}
