package org.popfetch.oauth;

/**
 * An OAuth step failed. The message is one line fit for an operator (the server's own error code
 * and description, escaped), and never holds a token.
 */
public class OAuthException extends Exception {
  private static final long serialVersionUID = 1L;

  public OAuthException(String message) {
    super(message);
  }

  public OAuthException(String message, Throwable cause) {
    super(message, cause);
  }
}
