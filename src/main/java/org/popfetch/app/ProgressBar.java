package org.popfetch.app;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.popfetch.fetch.FetchObserver;

/**
 * A one-line progress bar on a terminal, for polls that fetch many messages. Off the terminal
 * (cron, systemd) the log lines say enough and a bar would only litter them.
 */
final class ProgressBar implements FetchObserver {
  /** Below this many messages a bar would flash by. */
  static final int THRESHOLD = 50;

  private final PrintWriter out;
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicLong octets = new AtomicLong();
  private volatile int shownPercent = -1;

  private ProgressBar(PrintWriter out) {
    this.out = out;
  }

  static FetchObserver forTerminal(PrintWriter out) {
    return System.console() != null ? new ProgressBar(out) : FetchObserver.NONE;
  }

  @Override
  public void fetching(String account, int messages, long size) {
    total.addAndGet(messages);
  }

  @Override
  public void fetched(String account, int number, long size) {
    int d = done.incrementAndGet();
    long o = octets.addAndGet(size);
    int t = total.get();
    if (t < THRESHOLD) {
      return;
    }
    int percent = (int) (100L * d / t);
    if (percent != shownPercent) {
      shownPercent = percent;
      int width = 30;
      int filled = width * percent / 100;
      synchronized (out) {
        out.printf(
            "\r[%s%s] %3d%% %d/%d messages, %d KiB",
            "#".repeat(filled), " ".repeat(width - filled), percent, d, t, o / 1024);
        if (d >= t) {
          out.println(); // done: let the log lines that follow start on their own line
        }
        out.flush();
      }
    }
  }
}
