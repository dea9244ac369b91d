package org.popfetch.delivery;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.CrlfToLfOutputStream;
import org.popfetch.message.TraceHeaders;

/**
 * Delivers into a Maildir (cr.yp.to/proto/maildir.html) with a group commit.
 *
 * <p>{@link #stage} writes {@code tmp/<unique>} (created exclusively, mode 0600, never through
 * a symlink) with LF line ends. {@link #commit} fsyncs each staged file, hard-links it into
 * {@code new/<unique>,S=<size>} (link, not rename: rename would silently replace a file of the
 * same name), removes the tmp name, and fsyncs {@code new/} once for the whole batch. At that
 * instant the batch is delivered.
 *
 * <p>Unique names are {@code <seconds>.M<micros>P<pid>Q<sequence>.<host>}, the host with "/"
 * and ":" escaped as the specification asks.
 */
public final class MaildirDestination implements Destination {
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final Path root;
  private final Path tmp;
  private final Path newDir;
  private final String host;
  private final long pid = ProcessHandle.current().pid();
  /**
   * Running as root into someone's Maildir, files and directories are given to the Maildir's
   * owner, so the user can read the mail and no root-owned file is left in a user's tree.
   * Null when there is nobody else to give them to.
   */
  private final java.nio.file.attribute.PosixFileAttributes giveTo;

  /** Reused for every message: a destination serves one poll, on one thread, at a time. */
  private final byte[] buffer = new byte[64 * 1024];

  /** Uses {@code root}, creating it and tmp/, new/, cur/ (mode 0700) if missing. */
  public MaildirDestination(Path root, String hostName) throws DeliveryException {
    this.root = root;
    this.tmp = root.resolve("tmp");
    this.newDir = root.resolve("new");
    this.host = hostName.replace("/", "\\057").replace(":", "\\072");
    this.giveTo = foreignOwner(root);
    try {
      for (Path dir : List.of(root, tmp, newDir, root.resolve("cur"))) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
          handOver(dir);
        }
      }
    } catch (IOException e) {
      throw new DeliveryException("cannot create Maildir " + root + ": " + e, true, e);
    }
    removeStaleTmpFiles();
  }

  /** The owner of the Maildir (or of the directory it will be made in), if we are root and it is not. */
  private static java.nio.file.attribute.PosixFileAttributes foreignOwner(Path root) {
    if (!Identity.isRoot()) {
      return null;
    }
    for (Path p = root.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        try {
          java.nio.file.attribute.PosixFileAttributes a =
              Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          return "root".equals(a.owner().getName()) ? null : a;
        } catch (IOException e) {
          return null;
        }
      }
    }
    return null;
  }

  private void handOver(Path p) throws IOException {
    if (giveTo != null) {
      java.nio.file.attribute.PosixFileAttributeView view =
          Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      view.setOwner(giveTo.owner());
      view.setGroup(giveTo.group());
    }
  }

  /**
   * Deletes tmp/ files older than 36 hours, as the Maildir specification suggests: leftovers of
   * a crash between write and link, which no reader ever sees and which were never delivered
   * (their messages stayed on the server).
   */
  private void removeStaleTmpFiles() {
    java.time.Instant cutoff = java.time.Instant.now().minus(java.time.Duration.ofHours(36));
    try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
          deleteQuietly(f);
        }
      }
    } catch (IOException ignored) {
      // housekeeping only: a delivery does not depend on it
    }
  }

  @Override
  public String describe() {
    return "maildir " + root;
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    TraceHeaders trace = message.trace();
    String unique = uniqueName();
    Path file = tmp.resolve(unique);
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), FILE_MODE);
      handOver(file);
      CountingOutputStream counted =
          new CountingOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024));
      OutputStream out = new CrlfToLfOutputStream(counted);
      out.write(trace.toBytes("\n"));
      // Large reads: the body stream scans its buffer in place, so each call can hand over a
      // whole buffer's worth instead of transferTo's 8 KiB.
      int n;
      while ((n = wireBody.read(buffer, 0, buffer.length)) > 0) {
        out.write(buffer, 0, n);
      }
      ((CrlfToLfOutputStream) out).finish();
      counted.flush();
      return new MaildirStaged(unique, file, channel, counted.count());
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      deleteQuietly(file);
      if (e instanceof DeliveryException d) {
        throw d;
      }
      throw new DeliveryException("cannot write " + file + ": " + describe(e), true, e);
    }
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    List<MaildirStaged> staged = new ArrayList<>(batch.size());
    for (Staged s : batch) {
      staged.add((MaildirStaged) s);
    }
    try {
      for (MaildirStaged s : staged) {
        s.channel.force(true);
        s.channel.close();
      }
      for (MaildirStaged s : staged) {
        s.linkIntoNew();
      }
      syncDirectory(newDir);
    } catch (IOException e) {
      throw new DeliveryException("cannot commit to " + root + ": " + describe(e), true, e);
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    for (Staged s : batch) {
      MaildirStaged m = (MaildirStaged) s;
      closeQuietly(m.channel);
      deleteQuietly(m.tmpFile);
    }
  }

  private String uniqueName() {
    long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
    return micros / 1_000_000 + ".M" + micros % 1_000_000 + "P" + pid + "Q" + SEQUENCE.incrementAndGet() + "." + host;
  }

  private static void syncDirectory(Path dir) throws IOException {
    // On Linux a directory opened for reading can be fsync'ed; that makes the new names durable.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the file is thrown away or already synced; nothing more to save
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a stale tmp/ file is harmless: readers never look there
    }
  }

  private final class MaildirStaged implements Staged {
    final String unique;
    final Path tmpFile;
    final FileChannel channel;
    final long size;

    MaildirStaged(String unique, Path tmpFile, FileChannel channel, long size) {
      this.unique = unique;
      this.tmpFile = tmpFile;
      this.channel = channel;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    void linkIntoNew() throws IOException {
      String name = unique + ",S=" + size;
      for (int attempt = 0; ; attempt++) {
        try {
          Files.createLink(newDir.resolve(name), tmpFile);
          break;
        } catch (FileAlreadyExistsException e) {
          if (attempt >= 10) {
            throw e;
          }
          name = uniqueName() + ",S=" + size; // another deliverer took the name: take a fresh one
        }
      }
      Files.delete(tmpFile);
    }
  }

  /** Counts what passes through, so the ,S= size is the size on disk. */
  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    private long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    long count() {
      return count;
    }
  }
}
