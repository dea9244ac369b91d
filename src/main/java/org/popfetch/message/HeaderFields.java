package org.popfetch.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.BodyDescriptorBuilder;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * The header fields of a message, read from the front of its stream without touching the body: at
 * most {@link #MAX_HEADER} octets are buffered, then the whole message is handed back as a stream
 * again ({@link Read#message()}) for the destination.
 *
 * @param fields name and unfolded value of each field, in order
 */
public record HeaderFields(List<Field> fields) {
  /** Header blocks larger than this are cut for reading; the message itself is not changed. */
  public static final int MAX_HEADER = 256 * 1024;

  public HeaderFields {
    fields = List.copyOf(fields);
  }

  /** The header facts and the message, whole, as a stream (readable with LF line ends too). */
  public record Read(HeaderFields header, MessageStream message) {}

  /**
   * Reads the header block (up to the first empty line, or {@link #MAX_HEADER} octets) and parses
   * it with Mime4j's lenient token stream. The stream is read in bulk, never an octet at a time:
   * what is read past the header comes back first in {@link Read#message()}, so nothing is lost.
   *
   * @throws IOException if the stream fails, or the header cannot be read at all
   */
  public static Read read(InputStream message) throws IOException {
    return read(message, Set.of());
  }

  /**
   * As {@link #read(InputStream)}, and the message handed back lacks the header fields named
   * (whole, with their continuation lines; see {@link HeaderFilter}). The parsed header is the
   * message's own, with those fields still in it: what is removed from a copy can still route it.
   *
   * @param removed field names to leave out of {@link Read#message()}, lower case
   */
  public static Read read(InputStream message, Set<String> removed) throws IOException {
    return read(message, removed, new byte[FIRST_READ]);
  }

  /**
   * As {@link #read(InputStream, Set)}, the first read going to {@code first}, a buffer the caller
   * keeps for the next message (a larger header is read into a new one). The message handed back
   * reads from that buffer: it may be used again only once that message has been read or dropped.
   *
   * @param first at least one octet long
   */
  public static Read read(InputStream message, Set<String> removed, byte[] first)
      throws IOException {
    if (first.length == 0) {
      throw new IllegalArgumentException("an empty buffer");
    }
    byte[] buf = first;
    int filled = 0;
    int scanned = 0; // octets searched for the empty line so far
    int headEnd = -1;
    boolean ended = false; // the message ended within what was read
    while (headEnd < 0 && filled < MAX_HEADER) {
      if (filled == buf.length) {
        buf = Arrays.copyOf(buf, Math.min(MAX_HEADER, buf.length * 2));
      }
      int n = message.read(buf, filled, buf.length - filled);
      if (n < 0) {
        ended = true;
        break;
      }
      filled += n;
      headEnd = emptyLineEnd(buf, scanned, filled);
      scanned = filled;
    }
    int head = headEnd >= 0 ? headEnd : Math.min(filled, MAX_HEADER);
    HeaderFields parsed = parse(buf, head);
    if (removed.isEmpty()) {
      return new Read(parsed, new MessageStream(buf, 0, filled, message));
    }
    // A header cut by MAX_HEADER is not complete: its last field may go on past the cut.
    boolean complete = headEnd >= 0 || ended;
    byte[] kept = HeaderFilter.without(Arrays.copyOf(buf, head), complete, removed);
    byte[] front = Arrays.copyOf(kept, kept.length + filled - head);
    System.arraycopy(buf, head, front, kept.length, filled - head);
    return new Read(parsed, new MessageStream(front, message));
  }

  /** The first read takes a whole typical header, and often the whole of a small message. */
  public static final int FIRST_READ = 8 * 1024;

  /**
   * Where the header block ends: just after the LF of its empty line (LF LF, or CR LF CR LF), or
   * -1. Positions before {@code from} were searched already, but a line end may straddle them.
   */
  private static int emptyLineEnd(byte[] b, int from, int to) {
    for (int i = Math.max(1, from); i < to; i++) {
      if (b[i] == '\n' && (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))) {
        return i + 1;
      }
    }
    return -1;
  }

  /** Lenient: lines and headers of any length (the header is already capped), many fields. */
  private static final MimeConfig CONFIG =
      new MimeConfig.Builder()
          .setMaxLineLen(-1)
          .setMaxHeaderLen(-1)
          .setMaxHeaderCount(10_000)
          .build();

  private static final byte[] EMPTY_LINES = {'\r', '\n', '\r', '\n'};

  /**
   * Takes nothing from the fields as they are read: only the fields are wanted, not a description
   * of the body. Mime4j's own builder reads Content-Type with {@code MimeUtil}, whose first use
   * sets up a date formatter in the default time zone and so reads the JDK's zone rules: about 10
   * ms of every one-shot poll's first message.
   */
  private static final class FieldsOnly implements BodyDescriptorBuilder {
    @Override
    public void reset() {}

    @Override
    public Field addField(RawField field) {
      return null; // the field as read
    }

    @Override
    public BodyDescriptor build() {
      // Asked for only when the stream goes on into the body, which the reading of a head stops
      // short of.
      throw new IllegalStateException("only the header is read");
    }

    @Override
    public BodyDescriptorBuilder newChild() {
      return new FieldsOnly();
    }
  }

  private static HeaderFields parse(byte[] head, int length) throws IOException {
    MimeTokenStream tokens = new MimeTokenStream(CONFIG, DecodeMonitor.SILENT, new FieldsOnly());
    // The head ends at its empty line already; another one makes a complete (bodyless) message
    // of a head that was cut.
    tokens.parse(
        new SequenceInputStream(
            new ByteArrayInputStream(head, 0, length), new ByteArrayInputStream(EMPTY_LINES)));
    List<Field> fields = new ArrayList<>();
    try {
      for (EntityState s = tokens.getState(); s != EntityState.T_END_OF_STREAM; s = tokens.next()) {
        if (s == EntityState.T_FIELD) {
          fields.add(tokens.getField());
        }
        if (s == EntityState.T_END_HEADER) {
          break;
        }
      }
    } catch (MimeException e) {
      throw new IOException("unreadable message header: " + e.getMessage(), e);
    }
    return new HeaderFields(fields);
  }

  /**
   * Fields that hold addresses (RFC 5322 section 3.6, the trace and envelope fields MTAs add, and
   * every Resent- field): their encoded-words are never decoded, since RFC 2047 section 5 allows
   * none in an address and a decoded one could hide a line break or a second address.
   */
  private static final Set<String> ADDRESS_FIELDS =
      Set.of(
          "return-path",
          "from",
          "sender",
          "reply-to",
          "to",
          "cc",
          "bcc",
          "delivered-to",
          "x-original-to",
          "envelope-to",
          "x-envelope-to",
          "x-envelope-from",
          "errors-to",
          "x-delivered-to",
          "x-original-from");

  static boolean isAddressField(String lowerName) {
    return ADDRESS_FIELDS.contains(lowerName) || lowerName.startsWith("resent-");
  }

  /** The first field of this name (case-insensitive, RFC 5322), as {@link #all} gives it. */
  public Optional<String> first(String name) {
    return all(name).stream().findFirst();
  }

  /**
   * Every field of this name, in order, unfolded, for display and matching: encoded-words are
   * decoded except in address fields, and every control character (C0, DEL, C1, line and paragraph
   * separators; a decoded or a raw one alike) becomes U+FFFD, so no value carries a line break into
   * anything line-based.
   */
  public List<String> all(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    boolean decode = !isAddressField(lower);
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.getName().toLowerCase(Locale.ROOT).equals(lower)) {
        String unfolded = Folding.unfold(f.getBody());
        out.add(
            withoutControls(
                    decode
                        ? DecoderUtil.decodeEncodedWords(unfolded, DecodeMonitor.SILENT)
                        : unfolded)
                .strip());
      }
    }
    return out;
  }

  /**
   * Every field of this name, in order, exactly as it came after its colon: folding kept, nothing
   * decoded, each octet one character (ISO-8859-1). For reading addresses with {@link
   * Addresses#parse}, so that what is taken is literally in the message.
   */
  public List<String> raw(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.getName().toLowerCase(Locale.ROOT).equals(lower)) {
        out.add(rawBody(f));
      }
    }
    return out;
  }

  private static String rawBody(Field f) {
    ByteSequence raw = f.getRaw();
    if (raw == null) {
      return f.getBody();
    }
    byte[] bytes = raw.toByteArray();
    int colon = 0;
    while (colon < bytes.length && bytes[colon] != ':') {
      colon++;
    }
    return colon < bytes.length
        ? new String(bytes, colon + 1, bytes.length - colon - 1, StandardCharsets.ISO_8859_1)
        : "";
  }

  private static String withoutControls(String s) {
    if (!Addresses.hasControl(s)) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone =
          Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c)
                  && i + 1 < s.length()
                  && Character.isLowSurrogate(s.charAt(i + 1)));
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || lone) {
        sb.append('\uFFFD');
      } else {
        sb.append(c);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          sb.append(s.charAt(++i));
        }
      }
    }
    return sb.toString();
  }
}
