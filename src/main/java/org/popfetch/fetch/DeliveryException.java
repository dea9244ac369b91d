package org.popfetch.fetch;

import java.io.IOException;

/**
 * A destination could not take a message. Temporary failures (disk full, a locked mailbox)
 * leave the message on the server for the next poll; permanent ones need an admin.
 */
public final class DeliveryException extends IOException {
  private final boolean temporary;

  public DeliveryException(String message, boolean temporary, Throwable cause) {
    super(message, cause);
    this.temporary = temporary;
  }

  public boolean isTemporary() {
    return temporary;
  }
}
