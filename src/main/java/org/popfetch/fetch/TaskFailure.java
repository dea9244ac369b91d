package org.popfetch.fetch;

import java.io.IOException;
import java.util.concurrent.ExecutionException;

/** The failure of a task that ran on another thread, thrown as if it had run on this one. */
public final class TaskFailure {
  private TaskFailure() {}

  /**
   * Throws what {@code e} wraps: an {@link IOException}, a runtime exception or an error as it is,
   * anything else inside an {@link IOException}. Declared to return so that a caller can write
   * {@code throw TaskFailure.rethrown(e)} and the compiler sees the path end.
   */
  public static IOException rethrown(ExecutionException e) throws IOException {
    Throwable cause = e.getCause();
    if (cause instanceof IOException io) {
      throw io;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    throw new IOException(cause);
  }
}
