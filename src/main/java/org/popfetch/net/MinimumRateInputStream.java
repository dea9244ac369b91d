package org.popfetch.net;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Fails reads from a peer that sends, while the client is waiting on it, slower than a minimum
 * rate. Only time spent blocked in {@code read} counts, so a pause while the client itself is busy
 * (writing a message to disk, say) is not held against the peer.
 *
 * <p>The client calls {@link #restart()} with each new command, so that the time a server takes to
 * begin one answer is not added to the next.
 *
 * <p>The rate is judged over windows of {@code window} nanoseconds of waiting: at the end of each,
 * at least {@code minimumRate} octets per second of it must have arrived.
 *
 * <p>A rate alone cannot end an answer that never ends but trickles just above it, so an answer may
 * also be given a {@link #budget} of waiting in all; {@link #restart()} lifts it.
 */
public final class MinimumRateInputStream extends FilterInputStream {
  private final long minimumRate;
  private final long windowNanos;
  private long waitedNanos;
  private long bytesInWindow;
  private long budgetNanos = Long.MAX_VALUE;
  private long spentNanos;
  private String budgetFor = "";

  MinimumRateInputStream(InputStream in, long minimumRate, long windowNanos) {
    super(in);
    this.minimumRate = minimumRate;
    this.windowNanos = windowNanos;
  }

  /** Starts a fresh window: a new command, a new answer. */
  public void restart() {
    waitedNanos = 0;
    bytesInWindow = 0;
    budgetNanos = Long.MAX_VALUE;
  }

  /**
   * From now on, at most {@code nanos} more of waiting in all, whatever the rate; then reads fail
   * with a {@link PeerTooSlowException} whose message starts with {@code what}. Replaces an earlier
   * budget.
   */
  public void budget(long nanos, String what) {
    budgetNanos = nanos;
    spentNanos = 0;
    budgetFor = what;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    long start = System.nanoTime();
    int n = in.read(b, off, len);
    long waited = System.nanoTime() - start;
    waitedNanos += waited;
    spentNanos += waited;
    if (spentNanos > budgetNanos) {
      throw new PeerTooSlowException(
          String.format("%s not complete after %.1fs of waiting", budgetFor, spentNanos / 1e9));
    }
    if (n > 0) {
      bytesInWindow += n;
    }
    if (waitedNanos >= windowNanos) {
      double seconds = waitedNanos / 1e9;
      if (bytesInWindow < minimumRate * seconds) {
        throw new PeerTooSlowException(
            String.format(
                "peer sent %d octets in %.1fs of waiting, below the minimum of %d octets/s",
                bytesInWindow, seconds, minimumRate));
      }
      waitedNanos = 0;
      bytesInWindow = 0;
    }
    return n;
  }
}
