package org.popfetch.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.Util;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's provider for the {@code popfetch} command: logback, with {@link LogConfiguration} applied
 * directly. {@link Main#main} names it in {@code slf4j.provider}, so that SLF4J does not search the
 * class path for providers and logback does not search it for configurators.
 *
 * <p>Logback's own start ({@code ContextInitializer}) is what a one-shot poll paid for that search
 * and, above all, for logback's first string concatenation (logback is compiled for Java 11): its
 * call site spins a dozen method-handle classes at every start, which no class-data archive holds.
 * The result is the same context: the same name, MDC adapter, appender and levels, started, and
 * logback's status printed if configuring it went wrong. Any {@code logback.*} system property
 * ({@code -Dlogback.configurationFile}, a status listener) hands the whole start to logback's own
 * provider, which honours them.
 */
public final class LogProvider implements SLF4JServiceProvider {
  /** Holds the context, the marker factory and the MDC adapter, and starts logback when asked. */
  private final LogbackServiceProvider logback = new LogbackServiceProvider();

  @Override
  public void initialize() {
    if (logbackPropertySet()) {
      logback.initialize();
      return;
    }
    // As LogbackServiceProvider.initialize does, with LogConfiguration as the one configurator.
    LoggerContext context = (LoggerContext) logback.getLoggerFactory();
    context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
    context.setMDCAdapter(logback.getMDCAdapter());
    try {
      LogConfiguration configuration = new LogConfiguration();
      configuration.setContext(context);
      configuration.configure(context);
      // StatusPrinter's own test, asked first: its class builds a date formatter when it loads
      // (java.time's pattern parser and the zone), 5 % of a one-shot poll's CPU for nothing to say.
      if (!StatusUtil.contextHasStatusListener(context)
          && new StatusUtil(context).getHighestLevel(0) >= Status.WARN) {
        StatusPrinter.printInCaseOfErrorsOrWarnings(context);
      }
    } catch (RuntimeException e) {
      // As logback's provider does: said, and the context still started, so that logging and
      // the command go on instead of every logger failing after a failed start.
      Util.report("Failed to configure the logger context", e);
    }
    context.start();
  }

  private static boolean logbackPropertySet() {
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("logback.")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return logback.getLoggerFactory();
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return logback.getMarkerFactory();
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return logback.getMDCAdapter();
  }

  @Override
  public String getRequestedApiVersion() {
    return logback.getRequestedApiVersion();
  }
}
