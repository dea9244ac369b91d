package org.popfetch.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The envelope of one queued message: who it is from, each recipient's state, where it goes,
 * how often it was tried. Stored as a small text file ({@link #format}/{@link #parse}) beside the
 * immutable message data.
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
    String id, String sender, Map<String, Status> recipients, String route, Instant arrival, int attempts, String lastError,
    boolean warned) {
  static final String MAGIC = "popfetch-queue 1";

  public QueueEntry {
    recipients = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recipients));
  }

  /** A recipient's state, with the server's reply once there is one. */
  public record Status(State state, String reply) {
    public static final Status PENDING = new Status(State.PENDING, "");
  }

  public enum State {
    PENDING,
    DELIVERED,
    BOUNCED
  }

  public List<String> pending() {
    List<String> out = new ArrayList<>();
    recipients.forEach((r, s) -> {
      if (s.state() == State.PENDING) {
        out.add(r);
      }
    });
    return out;
  }

  public QueueEntry(
      String id, String sender, Map<String, Status> recipients, String route, Instant arrival, int attempts, String lastError) {
    this(id, sender, recipients, route, arrival, attempts, lastError, false);
  }

  public QueueEntry with(Map<String, Status> newRecipients, int newAttempts, String newLastError) {
    return new QueueEntry(id, sender, newRecipients, route, arrival, newAttempts, newLastError, warned);
  }

  public QueueEntry warnedNow() {
    return new QueueEntry(id, sender, recipients, route, arrival, attempts, lastError, true);
  }

  byte[] format() {
    StringBuilder sb = new StringBuilder(MAGIC).append('\n');
    sb.append("sender ").append(sender).append('\n');
    sb.append("route ").append(route).append('\n');
    sb.append("arrival ").append(arrival).append('\n');
    sb.append("attempts ").append(attempts).append('\n');
    sb.append("error ").append(oneLine(lastError)).append('\n');
    if (warned) {
      sb.append("warned\n");
    }
    recipients.forEach((r, s) -> sb.append("rcpt ").append(s.state()).append(' ').append(r).append(' ').append(oneLine(s.reply())).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String oneLine(String s) {
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  /** @throws IOException if the file is not a queue envelope (it is then moved to corrupt/) */
  static QueueEntry parse(String id, byte[] bytes) throws IOException {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    if (lines.length < 6 || !lines[0].equals(MAGIC)) {
      throw new IOException("not a queue envelope");
    }
    try {
      String sender = field(lines[1], "sender");
      String route = field(lines[2], "route");
      Instant arrival = Instant.parse(field(lines[3], "arrival"));
      int attempts = Integer.parseInt(field(lines[4], "attempts"));
      String error = field(lines[5], "error");
      Map<String, Status> rcpts = new LinkedHashMap<>();
      int first = 6;
      boolean warned = lines.length > 6 && lines[6].equals("warned");
      if (warned) {
        first = 7;
      }
      for (int i = first; i < lines.length; i++) {
        String[] p = field(lines[i], "rcpt").split(" ", 3);
        rcpts.put(p[1], new Status(State.valueOf(p[0]), p.length > 2 ? p[2] : ""));
      }
      if (rcpts.isEmpty()) {
        throw new IOException("no recipients");
      }
      return new QueueEntry(id, sender, rcpts, route, arrival, attempts, error, warned);
    } catch (RuntimeException e) {
      throw new IOException("damaged queue envelope: " + e.getMessage(), e);
    }
  }

  private static String field(String line, String name) throws IOException {
    if (!line.startsWith(name + " ") && !line.equals(name)) {
      throw new IOException("expected " + name + ", got " + line);
    }
    return line.length() > name.length() ? line.substring(name.length() + 1) : "";
  }
}
