package org.popfetch.pop3;

import java.io.IOException;
import org.popfetch.net.DotTerminatedInputStream;

/** Receives the messages of a batch of RETR or TOP, in the order they were asked for. */
@FunctionalInterface
public interface MessageHandler {
  /**
   * Consumes one message. The body must not be used after this returns; whatever the handler leaves
   * unread is skipped so the connection stays in step. Throwing stops the batch.
   */
  void message(int number, DotTerminatedInputStream body) throws IOException;

  /**
   * Called when the server answers -ERR for one message (deleted meanwhile, say). By default this
   * ends the batch with that error; a handler may instead note it and return.
   */
  default void refused(int number, Pop3ErrorException error) throws IOException {
    throw error;
  }
}
