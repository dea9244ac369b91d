package org.popfetch.config;

/**
 * A configuration that cannot be used. The message reads "FILE:LINE: KEY: what is wrong", so
 * an admin can go straight to the spot.
 */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
