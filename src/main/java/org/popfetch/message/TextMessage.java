package org.popfetch.message;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;

/**
 * A short text/plain message popfetch writes itself (a notice to a mailbox's owner), as RFC 5322
 * wants it: CRLF line ends, header fields folded, unstructured text with non-ASCII in RFC 2047
 * encoded words, a body in 7bit or 8bit, or quoted-printable where a line would pass the 998 octets
 * a line may have.
 *
 * <p>Fields are written in the order they are added, then {@code MIME-Version} and the content
 * fields.
 */
public final class TextMessage {
  /** RFC 5322 section 2.1.1: at most 998 octets in a line, not counting its CRLF. */
  static final int MAX_LINE = 998;

  private final List<String> fields = new ArrayList<>();

  /**
   * Adds an unstructured field (Subject): control characters become spaces, non-ASCII text is
   * encoded (RFC 2047), and the field is folded.
   */
  public TextMessage text(String name, String value) {
    String clean = value.replaceAll("[\\p{Cntrl}]", " ");
    int used = name.length() + 2;
    return add(
        name,
        EncoderUtil.hasToBeEncoded(clean, used)
            ? EncoderUtil.encodeEncodedWord(clean, EncoderUtil.Usage.TEXT_TOKEN, used, UTF_8, null)
            : clean);
  }

  /**
   * Adds a structured field (From, To, Message-ID) as given, folded.
   *
   * @throws IllegalArgumentException if the value holds anything but printable ASCII: an address is
   *     not encoded (RFC 6532 would need the peer's consent), and a line break would start a field
   *     of its own
   */
  public TextMessage structured(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException(
            name + ": not printable ASCII: " + value.replaceAll("\\p{Cntrl}", "?"));
      }
    }
    return add(name, value);
  }

  /** Adds a date field (RFC 5322 section 3.3) for {@code when} in {@code zone}. */
  public TextMessage date(String name, Instant when, ZoneId zone) {
    return add(name, MailDate.format(when, zone));
  }

  private TextMessage add(String name, String value) {
    if (!name.matches("[!-9;-~]+")) {
      throw new IllegalArgumentException("not a header field name: " + name);
    }
    fields.add(name + ": " + Folding.fold(value, name.length() + 2));
    return this;
  }

  /**
   * The message: the fields added, the MIME fields, a blank line and {@code body} (its line ends
   * "\n" or "\r\n"; they become CRLF).
   */
  public byte[] toBytes(String body) {
    String[] lines = body.replace("\r\n", "\n").split("\n", -1);
    boolean ascii = body.chars().allMatch(c -> c < 0x80);
    boolean shortLines = true;
    for (String line : lines) {
      shortLines &= line.getBytes(UTF_8).length <= MAX_LINE;
    }
    String encoding = !shortLines ? "quoted-printable" : ascii ? "7bit" : "8bit";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder header = new StringBuilder();
    for (String f : fields) {
      header.append(f).append("\r\n");
    }
    header
        .append("MIME-Version: 1.0\r\n")
        .append("Content-Type: text/plain; charset=utf-8\r\n")
        .append("Content-Transfer-Encoding: ")
        .append(encoding)
        .append("\r\n\r\n");
    out.writeBytes(header.toString().getBytes(US_ASCII));
    byte[] text = String.join("\r\n", lines).getBytes(UTF_8);
    if (shortLines) {
      out.writeBytes(text);
    } else {
      quotedPrintable(text, out);
    }
    return out.toByteArray();
  }

  private static void quotedPrintable(byte[] text, OutputStream out) {
    try (OutputStream qp = new QuotedPrintableOutputStream(out, false)) {
      qp.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
  }
}
