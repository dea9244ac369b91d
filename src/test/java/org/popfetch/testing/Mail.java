package org.popfetch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Test messages and what a Maildir holds of them. */
public final class Mail {
  private static final Pattern MESSAGE_ID = Pattern.compile("(?m)^Message-ID: <([^>]+)>");

  private Mail() {}

  /** A message with LF line ends, as stored in a Maildir, with a unique Message-ID. */
  public static String message(String id, int bodyLines) {
    StringBuilder sb = new StringBuilder();
    sb.append("From: sender@example.org\nTo: rcpt@example.org\nSubject: ")
        .append(id)
        .append("\nMessage-ID: <")
        .append(id)
        .append("@popfetch.test>\n\n");
    for (int i = 0; i < bodyLines; i++) {
      sb.append(i % 17 == 0 ? ".line " : "line ").append(i).append(" of ").append(id).append('\n');
    }
    return sb.toString();
  }

  /** The Message-IDs (without brackets and domain) of every file in new/ and cur/, repeats kept. */
  public static List<String> idsIn(Path maildir) throws IOException {
    List<String> ids = new ArrayList<>();
    for (String sub : List.of("new", "cur")) {
      Path dir = maildir.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Matcher m = MESSAGE_ID.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
          ids.add(
              m.find() ? m.group(1).replace("@popfetch.test", "") : "(no Message-ID in " + f + ")");
        }
      }
    }
    return ids;
  }

  /** The content of a delivered file without popfetch's two trace fields. */
  public static String withoutTraceFields(Path file) throws IOException {
    String s = Files.readString(file, StandardCharsets.ISO_8859_1);
    int i = s.indexOf("\nDelivered-To: ");
    return s.substring(s.indexOf('\n', i + 1) + 1);
  }
}
