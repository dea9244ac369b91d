package org.popfetch.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * One spelling of any string as printable ASCII without spaces, so that no byte of a value can end
 * a field or a line: the queue's envelope files and the control socket's requests use it.
 */
public final class PercentText {
  private PercentText() {}

  /** Percent-encoded UTF-8: "!" to "~" as they are, but "%"; every other octet as %HH. */
  public static String encode(String value) {
    StringBuilder sb = new StringBuilder(value.length());
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int o = b & 0xff;
      if (o > 0x20 && o < 0x7f && o != '%') {
        sb.append((char) o);
      } else {
        sb.append('%').append(HEX.charAt(o >> 4)).append(HEX.charAt(o & 0xf));
      }
    }
    return sb.toString();
  }

  private static final String HEX = "0123456789ABCDEF";

  /** The inverse of {@link #encode}, refusing any other spelling of a value. */
  public static String decode(String field) throws IOException {
    byte[] out = new byte[field.length()];
    int n = 0;
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IOException("stray character " + (int) c + " in a value");
      }
      if (c != '%') {
        out[n++] = (byte) c;
        continue;
      }
      int hi = i + 2 < field.length() ? HEX.indexOf(field.charAt(i + 1)) : -1;
      int lo = hi >= 0 ? HEX.indexOf(field.charAt(i + 2)) : -1;
      if (lo < 0) {
        throw new IOException("bad escape in a value");
      }
      int o = hi << 4 | lo;
      if (o > 0x20 && o < 0x7f && o != '%') {
        throw new IOException("needless escape in a value");
      }
      out[n++] = (byte) o;
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("a value is not UTF-8", e);
    }
  }
}
