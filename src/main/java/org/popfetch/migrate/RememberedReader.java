package org.popfetch.migrate;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;

/**
 * Reads another client's memory of kept mail ({@link SeenFormat}) into {@link RememberedMailbox}es.
 *
 * <p>The files are someone else's and may be damaged or hostile: a file over {@value
 * #MAX_FILE_BYTES} bytes is refused, a line over {@value #MAX_LINE} bytes or one that is not what
 * the format says is skipped and reported ("FILE:LINE: ..."), and a UID is taken only if POP3 could
 * have sent it (printable ASCII, no space, at most {@value #MAX_UID} characters). UIDs are read
 * byte for byte (ISO-8859-1), as popfetch stores them.
 */
public final class RememberedReader {
  static final long MAX_FILE_BYTES = 512L << 20;
  static final int MAX_LINE = 4096;
  static final int MAX_UID = 1000;

  /** Problems reported one by one per file; the rest are counted. */
  static final int MAX_REPORTED = 10;

  private final Path file;
  private final String name;
  private final List<String> problems;
  private int skipped;

  private RememberedReader(Path file, List<String> problems) {
    this.file = file;
    this.name = LogText.sanitize(file.toString());
    this.problems = problems;
  }

  /**
   * Reads one file.
   *
   * @param problems receives one escaped line per damaged part of the file
   * @throws IOException if the file cannot be read or is too large; the message names it
   */
  public static List<RememberedMailbox> read(Path file, SeenFormat format, List<String> problems)
      throws IOException {
    return new RememberedReader(file, problems).read(format);
  }

  private List<RememberedMailbox> read(SeenFormat format) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException(
          name + ": too large (" + size + " bytes; at most " + MAX_FILE_BYTES + ")");
    }
    List<RememberedMailbox> out;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      Lines lines = new Lines(in);
      out =
          switch (format) {
            case FETCHMAIL -> fetchids(lines);
            case MPOP -> mpop(lines);
            case GETMAIL -> getmail(lines);
          };
    }
    if (skipped > MAX_REPORTED) {
      problems.add(name + ": " + (skipped - MAX_REPORTED) + " more damaged line(s) skipped");
    }
    return out;
  }

  private List<RememberedMailbox> fetchids(Lines lines) throws IOException {
    Map<String, Builder> boxes = new LinkedHashMap<>();
    for (String line; (line = lines.next()) != null; ) {
      if (line.isEmpty() || lines.tooLong) {
        if (lines.tooLong) {
          skip(lines.number, "a line longer than " + MAX_LINE + " bytes");
        }
        continue;
      }
      int space = line.indexOf(' ');
      int at = space < 0 ? -1 : line.lastIndexOf('@', space);
      String uid = space < 0 ? "" : line.substring(space + 1);
      if (at <= 0 || at == space - 1 || !validUid(uid)) {
        skip(lines.number, "not \"user@server UID\"");
        continue;
      }
      String key = line.substring(0, space);
      int n = lines.number;
      boxes
          .computeIfAbsent(
              key,
              k ->
                  new Builder(
                      SeenFormat.FETCHMAIL, n, key.substring(at + 1), key.substring(0, at), ""))
          .uids
          .add(new RememberedMailbox.Uid(uid, Optional.empty()));
    }
    return boxes.values().stream().map(Builder::build).toList();
  }

  private List<RememberedMailbox> mpop(Lines lines) throws IOException {
    List<RememberedMailbox> out = new ArrayList<>();
    Builder current = null;
    long expected = 0;
    for (String line; (line = lines.next()) != null; ) {
      if (lines.tooLong) {
        skip(lines.number, "a line longer than " + MAX_LINE + " bytes");
        continue;
      }
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      if (line.startsWith(" ")) {
        if (current != null && current.uids.size() < expected) {
          skip(current.line, "announces " + expected + " UIDs but lists " + current.uids.size());
        }
        String[] head = line.substring(1).split(" ", 3);
        if (head.length != 3
            || !head[0].matches("[0-9]{1,9}")
            || head[1].isEmpty()
            || head[2].isEmpty()) {
          skip(lines.number, "not \" COUNT HOST USER\"");
          current = null;
          continue;
        }
        expected = Long.parseLong(head[0]);
        current = new Builder(SeenFormat.MPOP, lines.number, head[1], head[2], "");
        out.add(null); // placeholder, built at the end so the list holds every UID
        current.index = out.size() - 1;
        continue;
      }
      if (current == null || current.uids.size() >= expected || !validUid(line)) {
        skip(lines.number, current == null ? "a UID outside any mailbox list" : "not a UID");
        continue;
      }
      current.uids.add(new RememberedMailbox.Uid(line, Optional.empty()));
      if (current.uids.size() == expected) {
        out.set(current.index, current.build());
      }
    }
    if (current != null && current.uids.size() < expected) {
      skip(current.line, "announces " + expected + " UIDs but lists " + current.uids.size());
      out.set(current.index, current.build());
    }
    return out.stream().filter(b -> b != null).toList();
  }

  private List<RememberedMailbox> getmail(Lines lines) throws IOException {
    String key = file.getFileName().toString();
    Builder box = new Builder(SeenFormat.GETMAIL, 1, "", "", key);
    for (String line; (line = lines.next()) != null; ) {
      if (lines.tooLong) {
        skip(lines.number, "a line longer than " + MAX_LINE + " bytes");
        continue;
      }
      if (line.isBlank()) {
        continue;
      }
      int nul = line.indexOf('\0');
      String uid = nul < 0 ? "" : line.substring(0, nul);
      String stamp = nul < 0 ? "" : line.substring(nul + 1).strip();
      if (!validUid(uid) || !stamp.matches("[0-9]{1,12}")) {
        skip(lines.number, "not \"UID NUL TIMESTAMP\"");
        continue;
      }
      box.uids.add(
          new RememberedMailbox.Uid(
              uid, Optional.of(Instant.ofEpochSecond(Long.parseLong(stamp)))));
    }
    return List.of(box.build());
  }

  private static boolean validUid(String uid) {
    return !uid.isEmpty()
        && uid.length() <= MAX_UID
        && uid.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
  }

  private void skip(int line, String why) {
    if (++skipped <= MAX_REPORTED) {
      problems.add(name + ":" + line + ": " + why + "; skipped");
    }
  }

  private final class Builder {
    final SeenFormat format;
    final int line;
    final String server;
    final String user;
    final String key;
    final List<RememberedMailbox.Uid> uids = new ArrayList<>();
    int index;

    Builder(SeenFormat format, int line, String server, String user, String key) {
      this.format = format;
      this.line = line;
      this.server = server;
      this.user = user;
      this.key = key;
    }

    RememberedMailbox build() {
      return new RememberedMailbox(format, name + ":" + line, server, user, key, uids);
    }
  }

  /** Lines of at most MAX_LINE bytes, LF-ended (a CR before it dropped), ISO-8859-1. */
  private static final class Lines {
    private final InputStream in;
    private final byte[] buf = new byte[MAX_LINE];
    int number;
    boolean tooLong;

    Lines(InputStream in) {
      this.in = in;
    }

    /** The next line, or null at the end; {@link #tooLong} says it was cut. */
    String next() throws IOException {
      int n = 0;
      tooLong = false;
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        if (n < MAX_LINE) {
          buf[n++] = (byte) c;
        } else {
          tooLong = true;
        }
      }
      if (c < 0 && n == 0 && !tooLong) {
        return null;
      }
      number++;
      if (n > 0 && buf[n - 1] == '\r') {
        n--;
      }
      return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }
  }
}
