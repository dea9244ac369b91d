package org.popfetch.migrate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;

/**
 * {@code popfetch import fetchmailrc}: reads a {@code .fetchmailrc} (bounded, never run),
 * translates it, and writes the secret files and the YAML.
 */
public final class FetchmailRcImport {
  /** A larger {@code .fetchmailrc} is refused before it is read. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  private FetchmailRcImport() {}

  /**
   * Reads and translates {@code rc}; writes nothing.
   *
   * @param secretsDir where the secret files will go (made absolute here)
   * @param localUser the login fetchmail ran as, its default user and local name
   * @throws RcSyntaxException if the file is missing, unreadable, over {@value #MAX_FILE_BYTES}
   *     bytes, not UTF-8, or not a {@code .fetchmailrc} fetchmail would accept: "FILE:LINE:
   *     problem"
   */
  public static Translation translate(Path rc, Path secretsDir, String localUser)
      throws RcSyntaxException {
    String name = LogText.sanitize(rc.toString());
    String text;
    try {
      BasicFileAttributes attrs = Files.readAttributes(rc, BasicFileAttributes.class);
      if (!attrs.isRegularFile()) {
        throw new RcSyntaxException(name, 0, "not a regular file");
      }
      if (attrs.size() > MAX_FILE_BYTES) {
        throw new RcSyntaxException(
            name, 0, "too large (" + attrs.size() + " bytes; at most " + MAX_FILE_BYTES + ")");
      }
      byte[] bytes = Files.readAllBytes(rc);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new RcSyntaxException(
            name, 0, "grew over " + MAX_FILE_BYTES + " bytes as it was read");
      }
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new RcSyntaxException(name, 0, "not UTF-8 (convert it first, e.g. with iconv)");
    } catch (IOException e) {
      throw new RcSyntaxException(
          name, 0, "cannot read it: " + LogText.sanitize(String.valueOf(e.getMessage())));
    }
    FetchmailRc parsed = RcParser.parse(rc.toString(), text);
    return new RcTranslator(
            rc.toString(), secretsDir.toAbsolutePath(), localUser, FetchmailRcImport::onPath)
        .translate(parsed);
  }

  /**
   * Writes each secret file, mode 0600 from its creation, replacing one of the same name whole (a
   * reader sees the old password or the new, never half), and creating the directory (0700) if need
   * be.
   */
  public static void writeSecrets(Translation t) throws IOException {
    for (Map.Entry<Path, String> e : t.secrets().entrySet()) {
      Path dir = e.getKey().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      replace(e.getKey(), (e.getValue() + "\n").getBytes(StandardCharsets.UTF_8), "rw-------");
    }
  }

  /** Writes the YAML to {@code output}, replacing it whole. */
  public static void writeYaml(Translation t, Path output) throws IOException {
    replace(output, t.yaml().getBytes(StandardCharsets.UTF_8), "rw-r--r--");
  }

  private static void replace(Path target, byte[] content, String mode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp =
        Files.createTempFile(
            dir,
            "." + target.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A program named without a path, found as the shell would: in PATH, else the usual places. */
  static Optional<Path> onPath(String program) {
    if (program.contains("/") || program.isEmpty()) {
      return Optional.empty();
    }
    String path = System.getenv().getOrDefault("PATH", "");
    String search = path + ":/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    for (String dir : search.split(":")) {
      if (!dir.startsWith("/")) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(p)
          || Files.isSymbolicLink(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
