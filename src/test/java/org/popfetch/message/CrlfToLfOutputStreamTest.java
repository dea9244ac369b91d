package org.popfetch.message;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class CrlfToLfOutputStreamTest {
  private static final String WIRE = "a\r\nb\rc\r\r\n\r\nlast\r";
  private static final String STORED = "a\nb\rc\r\n\nlast\r";

  @Test
  void convertsCrlfAndKeepsBareCrAtEverySplit() throws IOException {
    byte[] wire = WIRE.getBytes(ISO_8859_1);
    for (int at = 0; at <= wire.length; at++) {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink);
      out.write(wire, 0, at);
      out.write(wire, at, wire.length - at);
      out.finish();
      assertThat(sink.toString(ISO_8859_1)).as("split at %d", at).isEqualTo(STORED);
    }
  }

  @Test
  void byteByByte() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink)) {
      for (byte b : WIRE.getBytes(ISO_8859_1)) {
        out.write(b);
      }
    }
    assertThat(sink.toString(ISO_8859_1)).isEqualTo(STORED);
  }
}
