package org.popfetch.app;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import org.popfetch.net.LogText;

/**
 * A logged exception's stack trace with every line escaped by {@link LogText}: an exception's
 * message may quote a server. The trace keeps its own line breaks and indentation, and nothing
 * else.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {
  @Override
  protected String throwableProxyToString(IThrowableProxy tp) {
    String trace = super.throwableProxyToString(tp);
    StringBuilder out = new StringBuilder(trace.length());
    String[] lines = trace.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i > 0) {
        out.append(System.lineSeparator());
      }
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == '\t') {
        indent++; // stack frames are indented with tabs
      }
      out.append(line, 0, indent)
          .append(LogText.sanitize(line.substring(indent), LogLineLayout.MAX_MESSAGE_LENGTH));
    }
    return out.toString();
  }
}
