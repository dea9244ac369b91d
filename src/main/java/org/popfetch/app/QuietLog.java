package org.popfetch.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings and errors only, for as long as it is open ({@code poll --quiet}): a cron job mails
 * whatever a command prints, so a quiet poll that finds nothing prints nothing, and one that fails
 * still says why on standard error.
 */
final class QuietLog implements AutoCloseable {
  private final Logger root;
  private final Level before;

  private QuietLog(Logger root) {
    this.root = root;
    this.before = root.getLevel();
  }

  /** Raises the root logger to WARN until {@link #close}. */
  static QuietLog start() {
    QuietLog q = new QuietLog((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME));
    q.root.setLevel(Level.WARN);
    return q;
  }

  /** Puts the level back as it was. */
  @Override
  public void close() {
    root.setLevel(before);
  }
}
