package org.popfetch.fetch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A destination could not take a message. Temporary failures (disk full, a locked mailbox)
 * leave the message on the server for the next poll; permanent ones need an admin.
 */
public final class DeliveryException extends IOException {
  private final boolean temporary;
  private final Path rescued;

  public DeliveryException(String message, boolean temporary, Throwable cause) {
    this(message, temporary, cause, null);
  }

  /**
   * @param rescued a file holding the whole message as it would have been delivered, for the
   *     quarantine; the receiver of the exception owns it and deletes it
   */
  public DeliveryException(String message, boolean temporary, Throwable cause, Path rescued) {
    super(message, cause);
    this.temporary = temporary;
    this.rescued = rescued;
  }

  /** The message, kept for the quarantine, when the destination refused it for good. */
  public Optional<Path> rescued() {
    return Optional.ofNullable(rescued);
  }

  public boolean isTemporary() {
    return temporary;
  }
}
