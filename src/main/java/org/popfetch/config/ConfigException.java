package org.popfetch.config;

/**
 * A configuration that cannot be used. The message reads "FILE:LINE: KEY: what is wrong", so an
 * admin can go straight to the spot; the {@link Kind} says what sort of wrong it is, so that a
 * caller can pick an exit status without reading the message.
 */
public final class ConfigException extends Exception {
  /** What sort of problem this is. */
  public enum Kind {
    /** The file or a value in it is wrong, or a secret cannot be had. */
    SYNTAX,
    /** A file holding secrets may be read by others than the user popfetch runs as. */
    INSECURE_SECRETS
  }

  private final Kind kind;

  /** A {@link Kind#SYNTAX} problem. */
  public ConfigException(String message) {
    this(Kind.SYNTAX, message);
  }

  /** A {@link Kind#SYNTAX} problem with its cause. */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.kind = Kind.SYNTAX;
  }

  public ConfigException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** The same problem with more context in front of its message; the kind is kept. */
  public ConfigException within(String context) {
    ConfigException wider = new ConfigException(kind, context + getMessage());
    wider.initCause(this);
    return wider;
  }

  public Kind kind() {
    return kind;
  }
}
