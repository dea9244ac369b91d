package org.popfetch.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LfScanTest {
  /** The octet-at-a-time loop the scan replaces. */
  private static int reference(byte[] buf, int from, int end) {
    int i = from;
    while (i < end && buf[i] != '\n') {
      i++;
    }
    return i;
  }

  @Test
  void findsTheFirstLfFromEveryStartToEveryEnd() {
    // Octets around LF's value and its borrow: 0x0B just above an LF is the case the word trick
    // flags wrongly (never below the true LF); 0x8A has LF's low bits and the high bit.
    byte[] alphabet = {'\n', '\r', 0x0B, 0x09, (byte) 0x8A, 0x00, (byte) 0xFF, 'a', '.'};
    Random random = new Random(13);
    for (int round = 0; round < 300; round++) {
      byte[] buf = new byte[1 + random.nextInt(40)];
      boolean noLf = random.nextInt(4) == 0; // some lines with no LF at all
      for (int i = 0; i < buf.length; i++) {
        byte b = alphabet[random.nextInt(alphabet.length)];
        buf[i] = noLf && b == '\n' ? (byte) 'x' : b;
      }
      for (int from = 0; from <= buf.length; from++) {
        for (int end = from; end <= buf.length; end++) {
          assertThat(LfScan.indexOfLf(buf, from, end))
              .as("round %d, [%d, %d)", round, from, end)
              .isEqualTo(reference(buf, from, end));
        }
      }
    }
  }

  @Test
  void anLfAtEachPositionOfALongLineIsFound() {
    byte[] buf = new byte[200];
    for (int lf = 0; lf < buf.length; lf++) {
      Arrays.fill(buf, (byte) 0x0B);
      buf[lf] = '\n';
      for (int from = 0; from <= lf; from++) {
        assertThat(LfScan.indexOfLf(buf, from, buf.length)).isEqualTo(lf);
      }
      assertThat(LfScan.indexOfLf(buf, lf + 1, buf.length)).isEqualTo(buf.length);
    }
  }
}
