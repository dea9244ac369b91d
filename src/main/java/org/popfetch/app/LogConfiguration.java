package org.popfetch.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The log's configuration, set up in code when logback starts (found through {@code
 * META-INF/services}): one line per event on standard error, laid out by {@link LogLineLayout} as
 * {@code %start%-5level %logger{20} - %msg%n%escapedEx} would be, where {@code %start} is the time
 * or the journal's priority ({@link LinePrefix}) and the message and any stack trace are escaped;
 * INFO and above, Quartz and GreenMail (the demo server) at WARN.
 *
 * <p>This replaces a logback.xml, whose parsing loaded the JDK's XML parser and some 400 logback
 * classes at every start. A file named by {@code -Dlogback.configurationFile} (the JSON example in
 * the documentation, say) still wins: logback's own configurators read it.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {
  /** The appender's name. */
  static final String APPENDER = "STDERR";

  /**
   * Configures {@code context} unless a configuration file was named; returns whether logback's
   * other configurators (the one that reads that file) should run.
   */
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    LogLineLayout layout = new LogLineLayout(LinePrefix.forThisProcess());
    layout.setContext(context);
    layout.start();

    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setLayout(layout);
    encoder.setContext(context);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setName(APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.setContext(context);
    stderr.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    // GreenMail (the demo server) is chatty at INFO; Quartz announces itself at length.
    context.getLogger("com.icegreen").setLevel(Level.WARN);
    context.getLogger("org.quartz").setLevel(Level.WARN);
    // Except, in a cluster, what the job store says of other nodes found dead, of their jobs taken
    // over, and of polls too late to run: what an operator needs to follow a failover or a backlog.
    context.getLogger("org.quartz.impl.jdbcjobstore.JobStoreTX").setLevel(Level.INFO);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
