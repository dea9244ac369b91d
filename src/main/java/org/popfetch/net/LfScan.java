package org.popfetch.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the next LF in a buffer eight octets at a time: every line of every message is looked for
 * this way, and under the launcher's C1-only compiler a loop over single octets ran at about 550
 * MB/s of CPU where this runs at about 2 GB/s (the S2 mix through {@code readLf}).
 */
final class LfScan {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private LfScan() {}

  /** The index of the first LF in {@code buf[from, end)}, or {@code end} if there is none. */
  static int indexOfLf(byte[] buf, int from, int end) {
    int i = from;
    while (i + Long.BYTES <= end) {
      // An octet that is LF becomes 0; the lowest octet whose high bit survives the subtraction
      // is the first zero (octets above a zero may be flagged too, never one below it).
      long x = (long) LONGS.get(buf, i) ^ LFS;
      long zeros = (x - ONES) & ~x & HIGHS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
      i += Long.BYTES;
    }
    while (i < end && buf[i] != '\n') {
      i++;
    }
    return i;
  }
}
