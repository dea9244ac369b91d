package org.popfetch.delivery;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A directory held open, and names looked up in it alone: the openat family of calls, through
 * {@link SecureDirectoryStream}. Whatever anyone renames or replaces above this directory
 * afterwards, every operation here still acts inside it, and none follows a symbolic link: a link
 * where a directory or file is expected is refused, never entered, written or deleted through.
 *
 * <p>One thread uses a handle; close it when done (it holds a file descriptor).
 */
final class DirectoryHandle implements AutoCloseable {
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private final SecureDirectoryStream<Path> dir;
  private final Path path;

  private DirectoryHandle(SecureDirectoryStream<Path> dir, Path path) {
    this.dir = dir;
    this.path = path;
  }

  /**
   * Opens {@code path} by its name, following whatever links it holds. Only for a path nobody but
   * root or this process's user can change (see {@link TrustedPath}).
   *
   * @throws IOException if it is no directory, or the platform has no openat
   */
  static DirectoryHandle open(Path path) throws IOException {
    DirectoryStream<Path> ds = Files.newDirectoryStream(path);
    if (ds instanceof SecureDirectoryStream<Path> sds) {
      return new DirectoryHandle(sds, path);
    }
    ds.close();
    throw new IOException("this platform cannot open directories safely (no openat): " + path);
  }

  /**
   * Opens the directory {@code where} names: the anchor by its name, then each name below it
   * relative to the one before, refusing links.
   *
   * @throws UnsafePathException if a name below the anchor is a symbolic link
   * @throws java.nio.file.NoSuchFileException if one is missing
   */
  static DirectoryHandle open(TrustedPath where) throws IOException {
    DirectoryHandle dir = open(where.anchor());
    for (String name : where.below()) {
      try {
        DirectoryHandle next = dir.child(name);
        dir.close();
        dir = next;
      } catch (IOException | RuntimeException e) {
        dir.close();
        throw e;
      }
    }
    return dir;
  }

  /** Where the directory was found, for messages and for creating entries by name. */
  Path path() {
    return path;
  }

  /** The directory's own attributes (fstat: not a name that could have been swapped). */
  PosixFileAttributes attributes() throws IOException {
    return dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
  }

  /** The entry's attributes, of a link itself if it is one; empty if there is no such entry. */
  Optional<PosixFileAttributes> stat(String name) throws IOException {
    try {
      return Optional.of(
          dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, NOFOLLOW)
              .readAttributes());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Opens the subdirectory {@code name}.
   *
   * @throws UnsafePathException if it is a symbolic link (checked, then made impossible by opening
   *     with O_NOFOLLOW)
   * @throws NoSuchFileException if it does not exist
   * @throws IOException if it is not a directory or cannot be opened
   */
  DirectoryHandle child(String name) throws IOException {
    PosixFileAttributes a =
        stat(name).orElseThrow(() -> new NoSuchFileException(path.resolve(name).toString()));
    if (a.isSymbolicLink()) {
      throw UnsafePathException.link(path.resolve(name));
    }
    if (!a.isDirectory()) {
      throw new IOException(path.resolve(name) + " is not a directory");
    }
    try {
      return new DirectoryHandle(
          dir.newDirectoryStream(Path.of(name), NOFOLLOW), path.resolve(name));
    } catch (FileSystemException e) {
      if (stat(name).map(PosixFileAttributes::isSymbolicLink).orElse(false)) {
        throw UnsafePathException.link(path.resolve(name)); // replaced by a link since the check
      }
      throw e;
    }
  }

  /**
   * Opens the subdirectory {@code name}, first creating it (mode {@code mode}, handed to {@code
   * owner} if not null) if it is missing.
   *
   * <p>Java has no mkdirat, so the directory is made by its name under {@link #path()}; if someone
   * redirected that name meanwhile, the new directory is not found here afterwards and this fails
   * rather than use it.
   */
  DirectoryHandle childCreating(
      String name, Set<PosixFilePermission> mode, PosixFileAttributes owner) throws IOException {
    if (stat(name).isEmpty()) {
      try {
        Files.createDirectory(path.resolve(name), PosixFilePermissions.asFileAttribute(mode));
        handOver(name, owner);
      } catch (FileAlreadyExistsException raced) {
        // another deliverer made it meanwhile: use it if it is a real directory
      }
    }
    try {
      return child(name);
    } catch (NoSuchFileException e) {
      throw new UnsafePathException(path + " changed while " + name + " was being created in it");
    }
  }

  /** Creates the file {@code name} exclusively (never through a link) for writing. */
  FileChannel createFile(String name, FileAttribute<?> mode) throws IOException {
    return openFile(name, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode);
  }

  /**
   * Creates the file {@code name} exclusively for writing and gives it to {@code owner} (none if
   * null). If it cannot be given, it is closed and deleted before the failure is thrown: no file of
   * the wrong owner is left behind.
   */
  FileChannel createOwnedFile(String name, FileAttribute<?> mode, PosixFileAttributes owner)
      throws IOException {
    FileChannel channel = createFile(name, mode);
    try {
      handOver(name, owner);
      return channel;
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
        delete(name);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Opens the file {@code name} with {@code options}, to which NOFOLLOW_LINKS is always added: a
   * link at the name fails the open.
   */
  FileChannel openFile(String name, Set<? extends OpenOption> options, FileAttribute<?> mode)
      throws IOException {
    Set<OpenOption> all = new HashSet<>(options);
    all.add(LinkOption.NOFOLLOW_LINKS);
    return (FileChannel) dir.newByteChannel(Path.of(name), all, mode);
  }

  /** Gives the entry to {@code owner}'s user and group; nothing if {@code owner} is null. */
  void handOver(String name, PosixFileAttributes owner) throws IOException {
    if (owner != null) {
      // openat(O_NOFOLLOW) then fchown: a link planted under the name fails, it is not followed.
      PosixFileAttributeView view =
          dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, NOFOLLOW);
      view.setOwner(owner.owner());
      view.setGroup(owner.group());
    }
  }

  /** Sets the entry's permission bits (openat(O_NOFOLLOW), fchmod), whatever the umask was. */
  void setMode(String name, Set<PosixFilePermission> mode) throws IOException {
    dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, NOFOLLOW)
        .setPermissions(mode);
  }

  /**
   * Renames {@code name} into {@code target} as {@code targetName} (renameat; replaces what is
   * there).
   */
  void move(String name, DirectoryHandle target, String targetName) throws IOException {
    dir.move(Path.of(name), target.dir, Path.of(targetName));
  }

  /** Removes the entry {@code name} itself (unlinkat): a link is removed, not what it points to. */
  void delete(String name) throws IOException {
    dir.deleteFile(Path.of(name));
  }

  /** The names in this directory. A handle can be listed once. */
  List<String> names() {
    List<String> out = new ArrayList<>();
    for (Path p : dir) {
      out.add(p.getFileName().toString());
    }
    return out;
  }

  /** fsync of the directory itself, so that names created or renamed in it are durable. */
  void sync() throws IOException {
    try (FileChannel self =
        (FileChannel) dir.newByteChannel(Path.of("."), Set.of(StandardOpenOption.READ))) {
      self.force(true);
    }
  }

  @Override
  public void close() {
    try {
      dir.close();
    } catch (IOException ignored) {
      // closing a directory descriptor loses nothing
    }
  }
}
