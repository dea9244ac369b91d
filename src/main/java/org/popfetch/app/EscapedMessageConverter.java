package org.popfetch.app;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.popfetch.net.LogText;

/**
 * The log's {@code %msg}, escaped and bounded by {@link LogText} as a whole: whatever a call site
 * passed on from a server or a message, one event stays one line, and no terminal escape reaches
 * the terminal that {@code poll} and {@code run} log to. Text already escaped passes unchanged (its
 * escapes are plain characters).
 */
public final class EscapedMessageConverter extends ClassicConverter {
  /** Far above any line popfetch writes; only a runaway value reaches it. */
  static final int MAX_LENGTH = 20_000;

  @Override
  public String convert(ILoggingEvent event) {
    return LogText.sanitize(event.getFormattedMessage(), MAX_LENGTH);
  }
}
