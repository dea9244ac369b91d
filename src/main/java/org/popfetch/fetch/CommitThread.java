package org.popfetch.fetch;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread of a poll on which a batch's commit runs while the next batch is retrieved.
 * Started at the first such commit (a poll of one batch never starts it); {@link #close} lets the
 * commit in hand end and stops the thread.
 */
final class CommitThread implements AutoCloseable {
  private final String name;
  private ExecutorService executor;

  CommitThread(String accountName) {
    this.name = "popfetch-commit-" + accountName;
  }

  /** The thread, started now if it is not yet. */
  ExecutorService executor() {
    if (executor == null) {
      executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              });
    }
    return executor;
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdown();
      executor = null;
    }
  }
}
