package org.popfetch.migrate;

/** A {@code .fetchmailrc} that cannot be read: the message is "FILE:LINE: problem", escaped. */
public final class RcSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  RcSyntaxException(String file, int line, String problem) {
    super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
  }
}
