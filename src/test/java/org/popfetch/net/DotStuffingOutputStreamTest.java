package org.popfetch.net;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DotStuffingOutputStreamTest {
  private static final String TEXT = ".start\n..two\r\nmid.dot\rbare CR\r\r\n\n.\nend.";
  private static final String WIRE =
      "..start\r\n...two\r\nmid.dot\r\nbare CR\r\n\r\n\r\n..\r\nend.\r\n.\r\n";

  @Test
  void everyLineEndBecomesCrlfLeadingDotsAreDoubledAndTheDataIsTerminated() throws IOException {
    byte[] text = TEXT.getBytes(ISO_8859_1);
    for (int at = 0; at <= text.length; at++) {
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      DotStuffingOutputStream out = new DotStuffingOutputStream(wire);
      out.write(text, 0, at);
      out.write(text, at, text.length - at);
      out.finish();
      assertThat(wire.toString(ISO_8859_1)).as("split at %d", at).isEqualTo(WIRE);
    }
  }

  @Test
  void whatTheReaderUnstuffsIsTheTextWithCrlf() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    DotStuffingOutputStream out = new DotStuffingOutputStream(wire);
    out.write(TEXT.getBytes(ISO_8859_1));
    out.finish();
    WireInput in = new WireInput(new ByteArrayInputStream(wire.toByteArray()));
    String back =
        new String(new DotTerminatedInputStream(in, Framing.CRLF).readAllBytes(), ISO_8859_1);
    assertThat(back).isEqualTo(".start\r\n..two\r\nmid.dot\r\nbare CR\r\n\r\n\r\n.\r\nend.\r\n");
  }
}
