package org.popfetch.pop3;

import java.io.IOException;

/** Root of the POP3 client's failures; the message names the server and, where any, its words. */
public class Pop3Exception extends IOException {
  public Pop3Exception(String message) {
    super(message);
  }

  public Pop3Exception(String message, Throwable cause) {
    super(message, cause);
  }
}
