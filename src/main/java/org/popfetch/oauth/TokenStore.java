package org.popfetch.oauth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.popfetch.net.LogText;

/**
 * One refresh token per account, one file each, in a private directory of the state directory.
 *
 * <p>A file is created with mode 0600 from its first byte (never chmod-ed afterwards), written to a
 * temporary name, forced to disk, renamed over the old one, and the directory forced: after a crash
 * the file holds either the old token or the new one, whole. A file that others can read is refused
 * when read, as a leaked token would be.
 *
 * <p>Not final only so that tests can make {@link #save} fail.
 */
public class TokenStore {
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final String MAGIC = "popfetch-oauth 1";
  private static final String REFUSED_MAGIC = "popfetch-oauth-refused 1";
  private static final int MAX_FILE_BYTES = 32 * 1024;

  private final Path directory;

  /** A store in {@code directory} (created, mode 0700, when the first token is saved). */
  public TokenStore(Path directory) {
    this.directory = directory;
  }

  /** The store's directory inside a state directory. */
  public static TokenStore inStateDirectory(Path stateDirectory) {
    return new TokenStore(stateDirectory.resolve("oauth"));
  }

  /** A stored refresh token and when it was saved. {@link #toString()} hides the token. */
  public record Stored(String refreshToken, Instant saved) {
    @Override
    public String toString() {
      return "Stored[refreshToken=****, saved=" + saved + "]";
    }
  }

  /** The file that holds an account's token. Names are percent-encoded into safe characters. */
  Path file(String account) {
    StringBuilder b = new StringBuilder();
    for (byte x : account.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || (c == '.' && b.length() > 0)) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return directory.resolve(b + ".token");
  }

  /**
   * The account's stored token, if any.
   *
   * @throws OAuthException if the file cannot be read, is readable by group or others, or is not a
   *     token file
   */
  public Optional<Stored> read(String account) throws OAuthException {
    Path f = file(account);
    byte[] bytes;
    try {
      PosixFileAttributes attrs =
          Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isRegularFile()) {
        throw new OAuthException(f + " is not a regular file");
      }
      if (!FILE_MODE.containsAll(attrs.permissions())) {
        throw new OAuthException(
            f
                + " is readable by others (mode "
                + PosixFilePermissions.toString(attrs.permissions())
                + "); the token in it must be treated as leaked: revoke it and log in again");
      }
      try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new OAuthException(
          "cannot read " + f + ": " + LogText.sanitize(String.valueOf(e.getMessage())), e);
    }
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (bytes.length > MAX_FILE_BYTES
        || lines.length < 3
        || !lines[0].equals(MAGIC)
        || !lines[1].startsWith("refresh-token: ")
        || !lines[2].startsWith("saved: ")) {
      throw new OAuthException(
          f + " is not a popfetch token file; run popfetch oauth login " + account);
    }
    Instant saved;
    try {
      saved = Instant.parse(lines[2].substring("saved: ".length()));
    } catch (DateTimeParseException e) {
      throw new OAuthException(f + " has a bad saved: line");
    }
    return Optional.of(new Stored(lines[1].substring("refresh-token: ".length()), saved));
  }

  /**
   * Replaces the account's refresh token, durably: when this returns, the new token is on disk.
   *
   * @throws OAuthException if it cannot be written; the old token is then still in place
   */
  public void save(String account, String refreshToken, Instant now) throws OAuthException {
    if (refreshToken.isEmpty() || refreshToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("a refresh token is printable ASCII");
    }
    write(file(account), MAGIC + "\nrefresh-token: " + refreshToken + "\nsaved: " + now + "\n");
  }

  /** Writes {@code text} to {@code f}: mode 0600 from the first byte, synced, renamed, synced. */
  private void write(Path f, String text) throws OAuthException {
    Path tmp = directory.resolve("." + f.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      createDirectory();
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(FILE_MODE))) {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The write already failed; that is what is reported.
      }
      throw new OAuthException(
          "cannot save "
              + (f.getFileName().toString().endsWith(".token") ? "the refresh token" : "a note")
              + " in "
              + f
              + ": "
              + LogText.sanitize(String.valueOf(e.getMessage())),
          e);
    }
  }

  /**
   * Notes that the server refused {@code refreshToken} ({@code invalid_grant}), so that no later
   * process sends it again: a file beside the token holding the token's SHA-256 (never the token)
   * and the time. A new login stores another token, which the note then does not match.
   *
   * @throws OAuthException if the note cannot be written
   */
  public void markRefused(String account, String refreshToken, Instant now) throws OAuthException {
    write(
        refusedFile(account),
        REFUSED_MAGIC + "\nsha256: " + sha256(refreshToken) + "\nat: " + now + "\n");
  }

  /**
   * When the server refused {@code refreshToken}, if a note says it did.
   *
   * @throws OAuthException if the note exists but cannot be read
   */
  public Optional<Instant> refusedAt(String account, String refreshToken) throws OAuthException {
    Path f = refusedFile(account);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(1024);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new OAuthException(
          "cannot read " + f + ": " + LogText.sanitize(String.valueOf(e.getMessage())), e);
    }
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 3
        || !lines[0].equals(REFUSED_MAGIC)
        || !lines[1].equals("sha256: " + sha256(refreshToken))
        || !lines[2].startsWith("at: ")) {
      return Optional.empty(); // another token's note, or garbled: the token is tried
    }
    try {
      return Optional.of(Instant.parse(lines[2].substring("at: ".length())));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private Path refusedFile(String account) {
    Path token = file(account);
    String name = token.getFileName().toString();
    return token.resolveSibling(name.substring(0, name.length() - ".token".length()) + ".refused");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private void createDirectory() throws IOException {
    try {
      Files.createDirectories(directory.getParent());
      Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIR_MODE));
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
    }
  }
}
