package org.popfetch.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.popfetch.message.Addresses;
import org.popfetch.net.LogText;
import org.popfetch.net.PercentText;

/**
 * The envelope of one queued message: who it is from, each recipient's state, where it goes, how
 * often it was tried. Stored as a small text file ({@link #format}/{@link #parse}) beside the
 * immutable message data.
 *
 * <p>The file is one record per line, after Postfix's queue files: a version line, then {@code S}
 * sender, {@code R} route, {@code T} arrival, {@code A} attempts, {@code X} last error, {@code W}
 * warned (0 or 1), one {@code C} per recipient (state, address, last reply), and {@code E} last of
 * all. Every value is percent-encoded UTF-8: each octet outside "!" to "~", and "%" itself, is
 * written "%HH" (upper-case hex), so no value can hold a space, a line break or anything else that
 * would end its field or record. A file read back must be exactly in this form, ending in "E" and a
 * line feed: a file cut short (a lost write, a full disk) or garbled is refused whole, never read
 * as an envelope with fewer recipients.
 *
 * <p>The sender and every recipient must be {@linkplain Addresses#isEnvelopeSafe fit for an
 * envelope}; an entry that is not is refused when it is made, so nothing unsendable is queued. Free
 * text from a peer (the last error, a reply) is kept whole up to {@link #MAX_TEXT} characters, a
 * lone surrogate in it replaced by U+FFFD; so whatever an entry holds, its file reads back as an
 * equal entry.
 *
 * @param id the queue id, also the file names
 * @param sender the envelope sender, "" for the null sender (a bounce)
 * @param recipients each recipient and its state
 * @param route the name of the route (smarthost) it goes out through
 * @param arrival when it was queued
 * @param attempts delivery attempts so far
 * @param lastError the last temporary failure, or ""
 * @param warned whether the sender was told the message is delayed
 */
public record QueueEntry(
    String id,
    String sender,
    Map<String, Status> recipients,
    String route,
    Instant arrival,
    int attempts,
    String lastError,
    boolean warned) {
  static final String MAGIC = "popfetch-queue 2";

  /**
   * The first format: plain lines, no end record. Read (see {@link #parseLegacy}), never written.
   */
  static final String LEGACY_MAGIC = "popfetch-queue 1";

  /** The longest last error or reply kept; a longer one is cut. */
  public static final int MAX_TEXT = 4000;

  /**
   * @throws IllegalArgumentException if the sender (unless "") or a recipient is not fit for an
   *     envelope, there is no recipient, the route is not well-formed text, or attempts is negative
   */
  public QueueEntry {
    Objects.requireNonNull(id);
    Objects.requireNonNull(arrival);
    if (!sender.isEmpty() && !Addresses.isEnvelopeSafe(sender)) {
      throw new IllegalArgumentException(
          "sender " + LogText.sanitize(sender) + " cannot be sent in an envelope");
    }
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("no recipients");
    }
    for (Map.Entry<String, Status> r : recipients.entrySet()) {
      if (!Addresses.isEnvelopeSafe(r.getKey())) {
        throw new IllegalArgumentException(
            "recipient " + LogText.sanitize(r.getKey()) + " cannot be sent in an envelope");
      }
      Objects.requireNonNull(r.getValue());
    }
    if (!text(route).equals(route)) {
      throw new IllegalArgumentException(
          "route " + LogText.sanitize(route) + " is not well-formed text");
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts " + attempts);
    }
    recipients = Collections.unmodifiableMap(new LinkedHashMap<>(recipients));
    lastError = text(lastError);
  }

  /**
   * A recipient's state, with the server's reply once there is one (free text, see {@link
   * QueueEntry}).
   */
  public record Status(State state, String reply) {
    public static final Status PENDING = new Status(State.PENDING, "");

    public Status {
      Objects.requireNonNull(state);
      reply = text(reply);
    }
  }

  /** Free text as kept: at most {@link #MAX_TEXT} characters, lone surrogates as U+FFFD. */
  private static String text(String s) {
    String cut =
        s.length() > MAX_TEXT
            ? s.substring(
                0, Character.isHighSurrogate(s.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT)
            : s;
    StringBuilder sb = null;
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              && i + 1 < cut.length()
              && Character.isLowSurrogate(cut.charAt(i + 1));
      if (paired) {
        if (sb != null) {
          sb.append(c).append(cut.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (sb == null) {
          sb = new StringBuilder(cut.length()).append(cut, 0, i);
        }
        sb.append('\uFFFD');
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? cut : sb.toString();
  }

  public enum State {
    PENDING,
    DELIVERED,
    BOUNCED
  }

  public List<String> pending() {
    List<String> out = new ArrayList<>();
    recipients.forEach(
        (r, s) -> {
          if (s.state() == State.PENDING) {
            out.add(r);
          }
        });
    return out;
  }

  public QueueEntry(
      String id,
      String sender,
      Map<String, Status> recipients,
      String route,
      Instant arrival,
      int attempts,
      String lastError) {
    this(id, sender, recipients, route, arrival, attempts, lastError, false);
  }

  public QueueEntry with(Map<String, Status> newRecipients, int newAttempts, String newLastError) {
    return new QueueEntry(
        id, sender, newRecipients, route, arrival, newAttempts, newLastError, warned);
  }

  public QueueEntry warnedNow() {
    return new QueueEntry(id, sender, recipients, route, arrival, attempts, lastError, true);
  }

  /** The file's bytes, in the form {@link #parse} reads. */
  byte[] format() {
    StringBuilder sb = new StringBuilder(MAGIC).append('\n');
    record(sb, "S", sender);
    record(sb, "R", route);
    record(sb, "T", arrival.toString());
    record(sb, "A", Integer.toString(attempts));
    record(sb, "X", lastError);
    record(sb, "W", warned ? "1" : "0");
    recipients.forEach((r, s) -> record(sb, "C", s.state().name(), r, s.reply()));
    sb.append("E\n");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void record(StringBuilder sb, String type, String... values) {
    sb.append(type);
    for (String v : values) {
      sb.append(' ').append(encode(v));
    }
    sb.append('\n');
  }

  /** Percent-encoded UTF-8 ({@link PercentText#encode}). */
  static String encode(String value) {
    return PercentText.encode(value);
  }

  /** The inverse of {@link #encode}, refusing any other spelling of a value. */
  static String decode(String field) throws IOException {
    return PercentText.decode(field);
  }

  /**
   * Reads an envelope file.
   *
   * @throws IOException if the file is not a whole, well-formed queue envelope (it is then moved to
   *     corrupt/)
   */
  static QueueEntry parse(String id, byte[] bytes) throws IOException {
    boolean legacy = startsWith(bytes, LEGACY_MAGIC);
    for (byte b : bytes) {
      if ((b < 0x20 || b > 0x7e) && b != '\n' && !legacy) {
        throw new IOException("not a queue envelope: octet " + (b & 0xff));
      }
    }
    if (bytes.length == 0 || bytes[bytes.length - 1] != '\n') {
      throw new IOException("cut short: no line end at the end");
    }
    String[] lines = new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8).split("\n", -1);
    if (legacy) {
      return parseLegacy(id, lines);
    }
    if (!lines[0].equals(MAGIC)) {
      throw new IOException("not a queue envelope");
    }
    if (lines.length < 9 || !lines[lines.length - 1].equals("E")) {
      throw new IOException("cut short: no end record");
    }
    try {
      String sender = fields(lines[1], "S", 1)[0];
      String route = fields(lines[2], "R", 1)[0];
      String arrivalText = fields(lines[3], "T", 1)[0];
      Instant arrival = Instant.parse(arrivalText);
      if (!arrival.toString().equals(arrivalText)) {
        throw new IOException("arrival " + arrivalText + " is not in the form written");
      }
      String attemptsText = fields(lines[4], "A", 1)[0];
      if (!attemptsText.matches("0|[1-9][0-9]{0,9}")) {
        throw new IOException("attempts " + attemptsText);
      }
      String error = fields(lines[5], "X", 1)[0];
      String warned = fields(lines[6], "W", 1)[0];
      if (!warned.equals("0") && !warned.equals("1")) {
        throw new IOException("warned " + warned);
      }
      Map<String, Status> rcpts = recipients(lines);
      QueueEntry e =
          new QueueEntry(
              id,
              sender,
              rcpts,
              route,
              arrival,
              Integer.parseInt(attemptsText),
              error,
              warned.equals("1"));
      if (!e.lastError().equals(error)
          || e.recipients().entrySet().stream()
              .anyMatch(r -> !r.getValue().reply().equals(rcpts.get(r.getKey()).reply()))) {
        throw new IOException("text longer than written");
      }
      return e;
    } catch (RuntimeException e) {
      throw new IOException("damaged queue envelope: " + e.getMessage(), e);
    }
  }

  /** The recipient records, from line 7 up to the end record. */
  private static Map<String, Status> recipients(String[] lines) throws IOException {
    Map<String, Status> rcpts = new LinkedHashMap<>();
    for (int i = 7; i < lines.length - 1; i++) {
      String[] c = fields(lines[i], "C", 3);
      if (rcpts.put(c[1], new Status(State.valueOf(c[0]), c[2])) != null) {
        throw new IOException("recipient " + c[1] + " twice");
      }
    }
    return rcpts;
  }

  private static boolean startsWith(byte[] bytes, String prefix) {
    byte[] p = (prefix + "\n").getBytes(StandardCharsets.US_ASCII);
    return bytes.length >= p.length && Arrays.equals(bytes, 0, p.length, p, 0, p.length);
  }

  /** The decoded values of one record of this type, exactly {@code count} of them. */
  private static String[] fields(String line, String type, int count) throws IOException {
    String[] parts = line.split(" ", -1);
    if (parts.length != count + 1 || !parts[0].equals(type)) {
      throw new IOException("expected a record " + type + " of " + count + " value(s)");
    }
    String[] values = new String[count];
    for (int i = 0; i < count; i++) {
      values[i] = decode(parts[i + 1]);
    }
    return values;
  }

  /**
   * The first format, as queued before the upgrade to the present one: "sender", "route",
   * "arrival", "attempts", "error", an optional "warned", then "rcpt STATE ADDRESS REPLY" lines,
   * values raw. It had no end record, so a file cut at a line end cannot be told from a whole one;
   * but it was fsynced before it was renamed into deferred/, so only a damaged disk cuts it. Every
   * address must still be fit for an envelope; the file is rewritten in the present format on its
   * next attempt.
   */
  private static QueueEntry parseLegacy(String id, String[] lines) throws IOException {
    if (lines.length < 7) {
      throw new IOException("not a queue envelope");
    }
    try {
      String sender = legacyField(lines[1], "sender");
      String route = legacyField(lines[2], "route");
      Instant arrival = Instant.parse(legacyField(lines[3], "arrival"));
      int attempts = Integer.parseInt(legacyField(lines[4], "attempts"));
      String error = legacyField(lines[5], "error");
      Map<String, Status> rcpts = new LinkedHashMap<>();
      boolean warned = lines[6].equals("warned");
      for (int i = warned ? 7 : 6; i < lines.length; i++) {
        String[] p = legacyField(lines[i], "rcpt").split(" ", 3);
        if (rcpts.put(p[1], new Status(State.valueOf(p[0]), p.length > 2 ? p[2] : "")) != null) {
          throw new IOException("recipient " + p[1] + " twice");
        }
      }
      return new QueueEntry(id, sender, rcpts, route, arrival, attempts, error, warned);
    } catch (RuntimeException e) {
      throw new IOException("damaged queue envelope (first format): " + e.getMessage(), e);
    }
  }

  private static String legacyField(String line, String name) throws IOException {
    if (!line.startsWith(name + " ") && !line.equals(name)) {
      throw new IOException("expected " + name);
    }
    return line.length() > name.length() ? line.substring(name.length() + 1) : "";
  }
}
