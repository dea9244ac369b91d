package org.popfetch.app;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import org.popfetch.net.LogText;

/**
 * One log line, as the pattern {@code %start%-5level %logger{20} - %msg%n%escapedEx} would write
 * it, but put together directly: a {@code PatternLayout} parses its pattern and builds a chain of
 * converters when logging starts, which a one-shot command paid at every start (docs/benchmarks.md,
 * "One-shot poll: where the start-up goes").
 *
 * <p>The line is the {@link LinePrefix}, the level padded to five, the logger's name shortened to
 * about 20 characters as logback shortens it ("o.p.f.AccountPoll"), " - ", the message escaped and
 * bounded by {@link LogText} as a whole (whatever a call site passed on from a server or a message,
 * one event stays one line, and no terminal escape reaches the terminal), a line break, and any
 * stack trace with each line escaped ({@link EscapedThrowableConverter}).
 */
final class LogLineLayout extends LayoutBase<ILoggingEvent> {
  /** Far above any line popfetch writes; only a runaway value reaches it. */
  static final int MAX_MESSAGE_LENGTH = 20_000;

  private static final int LOGGER_LENGTH = 20;
  private static final int LEVEL_WIDTH = 5;

  private final LinePrefix prefix;
  private final TargetLengthBasedClassNameAbbreviator abbreviator =
      new TargetLengthBasedClassNameAbbreviator(LOGGER_LENGTH);

  /** Made when the first stack trace is logged: most runs log none. */
  private EscapedThrowableConverter traces;

  LogLineLayout(LinePrefix prefix) {
    this.prefix = prefix;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    String message = LogText.sanitize(event.getFormattedMessage(), MAX_MESSAGE_LENGTH);
    StringBuilder line = new StringBuilder(48 + message.length());
    prefix.appendTo(line, event.getTimeStamp(), event.getLevel());
    String level = event.getLevel().toString();
    line.append(level);
    for (int i = level.length(); i < LEVEL_WIDTH; i++) {
      line.append(' ');
    }
    line.append(' ')
        .append(abbreviator.abbreviate(event.getLoggerName()))
        .append(" - ")
        .append(message)
        .append(System.lineSeparator());
    if (event.getThrowableProxy() != null) {
      line.append(traces().convert(event));
    }
    return line.toString();
  }

  private synchronized EscapedThrowableConverter traces() {
    if (traces == null) {
      EscapedThrowableConverter c = new EscapedThrowableConverter();
      c.setContext(getContext());
      c.start();
      traces = c;
    }
    return traces;
  }
}
