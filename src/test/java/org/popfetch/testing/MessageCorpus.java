package org.popfetch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden corpus of messages as they come off the POP3 wire (dot-unstuffed, line ends as the
 * server sent them): the {@code .eml} files under {@code src/test/resources/corpus/}, stored byte
 * for byte (git leaves their line ends alone), and a few cases too large to keep in the repository,
 * made here.
 */
public final class MessageCorpus {
  /** How many files the corpus directory holds at least: a guard against a lost resource dir. */
  public static final int MINIMUM_FILES = 40;

  private MessageCorpus() {}

  /** One message of the corpus; its name says what the case is. */
  public record Case(String name, byte[] bytes) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Every case: the files in name order, then the generated ones. */
  public static List<Case> all() {
    List<Case> out = new ArrayList<>(files());
    out.addAll(generated());
    return out;
  }

  /** The committed {@code .eml} files. */
  public static List<Case> files() {
    URL url = MessageCorpus.class.getResource("/corpus");
    if (url == null) {
      throw new IllegalStateException("no corpus directory on the test classpath");
    }
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      List<Case> out = new ArrayList<>();
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".eml")) {
          out.add(new Case(name.substring(0, name.length() - 4), Files.readAllBytes(p)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Cases of a size that would bloat the repository. */
  public static List<Case> generated() {
    return List.of(
        new Case("generated-header-100kb-many-fields", headerOfManyFields(100 * 1024)),
        new Case("generated-header-field-100kb-folded", oneFoldedField(100 * 1024)),
        new Case("generated-single-line-1mb", singleLine(1024 * 1024)),
        new Case("generated-from-and-dot-lines-alternating", fromAndDotLines(5000)));
  }

  private static byte[] ascii(StringBuilder sb) {
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] headerOfManyFields(int size) {
    StringBuilder sb = new StringBuilder("From: a@example.org\r\nSubject: big header\r\n");
    for (int i = 0; sb.length() < size; i++) {
      sb.append("X-Filler-").append(i).append(": ").append("v".repeat(70)).append("\r\n");
    }
    return ascii(sb.append("\r\nbody\r\n"));
  }

  private static byte[] oneFoldedField(int size) {
    StringBuilder sb = new StringBuilder("From: a@example.org\r\nReferences:");
    for (int i = 0; sb.length() < size; i++) {
      sb.append(" <").append(i).append(".folded@example.org>\r\n");
    }
    return ascii(sb.append("Subject: after it\r\n\r\nbody\r\n"));
  }

  private static byte[] singleLine(int size) {
    StringBuilder sb = new StringBuilder("From: a@example.org\r\nSubject: one long line\r\n\r\n");
    for (int i = 0; i < size; i++) {
      sb.append((char) ('a' + i % 26));
    }
    return ascii(sb.append("\r\n"));
  }

  private static byte[] fromAndDotLines(int lines) {
    StringBuilder sb = new StringBuilder("From: a@example.org\r\nSubject: alternating\r\n\r\n");
    for (int i = 0; i < lines; i++) {
      sb.append(
              switch (i % 4) {
                case 0 -> "From line " + i;
                case 1 -> ".";
                case 2 -> ">From " + i;
                default -> ".." + i;
              })
          .append("\r\n");
    }
    return ascii(sb);
  }
}
