package org.popfetch.app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the forwarding queue soon after a poll has put mail in it, as fetchmail forwards at once,
 * instead of leaving it for the queue's next scheduled run (a minute later at most). Requests
 * coalesce: those made before a run starts are served by that run, and one made while a run goes
 * gets exactly one more run, so what the last poll queued never waits for the schedule.
 */
final class QueueKick implements AutoCloseable {
  private final Runnable run;
  private final AtomicBoolean wanted = new AtomicBoolean();
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "popfetch-queue-kick");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param run one run of the queue; it waits for a run that is going to end first
   */
  QueueKick(Runnable run) {
    this.run = run;
  }

  /** Asks for a run of the queue soon; returns at once. */
  void request() {
    if (wanted.getAndSet(true)) {
      return; // a run not yet started serves this request too
    }
    try {
      thread.execute(this::serve);
    } catch (RejectedExecutionException e) {
      // closing: the next start's first queue run takes what is queued
    }
  }

  private void serve() {
    while (wanted.getAndSet(false)) {
      run.run();
    }
  }

  /** Takes no more requests and waits for the run that is going, as the scheduler waits for its. */
  @Override
  public void close() throws InterruptedException {
    thread.shutdown();
    while (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
      // a queue run ends within its SMTP timeouts
    }
  }
}
