package org.popfetch.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link ProtocolTrace} that writes to the log at INFO, one line per protocol line. */
public final class LoggingProtocolTrace implements ProtocolTrace {
  private static final Logger LOG = LoggerFactory.getLogger("org.popfetch.trace");

  private final String peer;

  public LoggingProtocolTrace(String peer) {
    this.peer = peer;
  }

  @Override
  public void sent(String line) {
    LOG.info("{} C: {}", peer, LogText.sanitize(line));
  }

  @Override
  public void received(String line) {
    LOG.info("{} S: {}", peer, LogText.sanitize(line));
  }

  @Override
  public void note(String event) {
    LOG.info("{} -- {}", peer, LogText.sanitize(event));
  }
}
