package org.popfetch.delivery;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.net.IoReason;

/**
 * Appends to an mbox in mboxrd format (a "From " separator line with the envelope sender and date;
 * "&gt;From " quoting that a reader can undo exactly).
 *
 * <p>{@link #stage} appends the message, already formatted, to a private spool file for the batch:
 * the mailbox's lock is never held while a server is slow, and no file is created per message. One
 * destination serves one poll at a time. {@link #commit} takes the locks that Dovecot, mutt,
 * procmail and mail(1) honour — a dotlock ("mbox.lock", created exclusively, taken over after
 * {@link #STALE_LOCK} as Postfix does), then fcntl — appends every staged message, fsyncs, and
 * releases. If anything fails mid-append the file is truncated back to its size before, so readers
 * never see half a message.
 *
 * <p>A symlink at the mbox path is refused, and so is one on the way to it that another user could
 * have planted ({@link TrustedPath}); the mbox and its dotlock are opened inside the directory held
 * open ({@link DirectoryHandle}). A new mbox is created mode 0600.
 */
public final class MboxDestination implements Destination {
  /** How long to wait for other writers' locks. */
  static final Duration LOCK_WAIT = Duration.ofSeconds(20);

  /** How long to try for the fcntl lock while holding the dotlock. */
  static final Duration FCNTL_TRY = Duration.ofSeconds(1);

  /** A dotlock older than this is left over from a crash (Postfix: stale_lock_time 500s). */
  static final Duration STALE_LOCK = Duration.ofSeconds(500);

  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

  /** fcntl locks are per process: writers inside this JVM queue here first. */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS =
      new ConcurrentHashMap<>();

  private final Path mbox;

  /** The mbox's directory: reached without a link another user could have planted. */
  private final TrustedPath directory;

  private final Path spoolDir;
  private final byte[] buffer = new byte[64 * 1024];
  private FileChannel spool;
  private Path spoolPath;

  /**
   * @param spoolDir a private directory for staged messages
   */
  public MboxDestination(Path mbox, Path spoolDir) throws DeliveryException {
    this.mbox = mbox.toAbsolutePath().normalize();
    this.spoolDir = spoolDir;
    if (Files.isSymbolicLink(this.mbox)) {
      throw DeliveryException.deferred("refusing mbox " + this.mbox + ": it is a symbolic link");
    }
    try {
      this.directory = TrustedPath.locate(this.mbox.getParent());
    } catch (UnsafePathException e) {
      throw DeliveryException.rejected(
          "refusing mbox " + this.mbox + ": " + e.getMessage() + "; the mail stays on the server",
          e);
    } catch (IOException e) {
      throw DeliveryException.deferred("cannot reach mbox " + this.mbox + ": " + IoReason.of(e), e);
    }
    if (Files.exists(this.mbox, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(this.mbox, LinkOption.NOFOLLOW_LINKS)) {
      throw DeliveryException.deferred("mbox " + this.mbox + " is not a regular file");
    }
    try {
      Files.createDirectories(
          spoolDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw DeliveryException.deferred(
          "cannot create spool directory " + spoolDir + ": " + IoReason.of(e), e);
    }
  }

  @Override
  public String describe() {
    return "mbox " + mbox;
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    long start = -1;
    try {
      FileChannel spool = batchSpool();
      start = spool.size();
      spool.position(start);
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(spool), 64 * 1024);
      long length =
          Spool.write(
              out,
              message.trace(),
              wireBody,
              new MboxrdFormat(fromLine(message.envelope().sender(), Instant.now())),
              buffer);
      return new MboxStaged(start, length);
    } catch (IOException e) {
      truncateSpool(start);
      throw DeliveryException.deferred(
          "cannot spool a message for " + mbox + ": " + IoReason.of(e), e);
    }
  }

  /**
   * One scratch file per batch: staged messages are appended to it, and the commit copies the lot
   * into the mailbox. No file is created per message.
   */
  private FileChannel batchSpool() throws IOException {
    if (spool == null) {
      spoolPath =
          Files.createTempFile(
              spoolDir,
              "mbox-",
              ".batch",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      spool = FileChannel.open(spoolPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return spool;
  }

  /** Cuts a half-written message off the end of the batch spool. */
  private void truncateSpool(long to) {
    if (spool != null && to >= 0) {
      try {
        spool.truncate(to);
      } catch (IOException ignored) {
        // the spool is closed and removed at the end of the batch anyway
      }
    }
  }

  /** "From sender asctime-date": MAILER-DAEMON for the null sender, no whitespace in the sender. */
  static String fromLine(String sender, Instant when) {
    String s = sender.isEmpty() ? "MAILER-DAEMON" : sender.replaceAll("[\\s\\p{Cntrl}]", "-");
    return "From " + s + " " + ASCTIME.format(when.atZone(ZoneId.systemDefault())) + "\n";
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    if (batch.isEmpty()) {
      return;
    }
    List<MboxStaged> staged = new ArrayList<>();
    batch.forEach(s -> staged.add((MboxStaged) s));
    ReentrantLock local = IN_PROCESS.computeIfAbsent(mbox, p -> new ReentrantLock());
    try {
      if (!local.tryLock(LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw DeliveryException.deferred("mbox " + mbox + " is busy in this process");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DeliveryException.deferred("interrupted waiting for " + mbox, e);
    }
    String name = mbox.getFileName().toString();
    try (DirectoryHandle dir = DirectoryHandle.open(directory);
        FileChannel ch = openMbox(dir, name)) {
      try (Locks held = lock(dir, name, ch)) {
        append(ch, staged);
      }
    } catch (DeliveryException e) {
      throw e;
    } catch (UnsafePathException e) {
      throw DeliveryException.rejected(
          "refusing mbox " + mbox + ": " + e.getMessage() + "; the mail stays on the server", e);
    } catch (IOException e) {
      throw DeliveryException.deferred("cannot append to " + mbox + ": " + IoReason.of(e), e);
    } finally {
      local.unlock();
      discard(batch);
    }
  }

  /**
   * Opens the mbox, creating it if missing: mode 0600, or 0660 in a shared mail spool (a directory
   * that is group-writable and set-group-ID or sticky, as /var/mail is: 2775 root:mail), where the
   * file takes the spool's group and mail readers of that group expect to lock and rewrite it.
   */
  private static FileChannel openMbox(DirectoryHandle dir, String name) throws IOException {
    boolean creating = dir.stat(name).isEmpty();
    FileChannel ch =
        dir.openFile(
            name,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    if (creating && ch.size() == 0 && isMailSpool(dir.path())) {
      try {
        dir.setMode(name, PosixFilePermissions.fromString("rw-rw----"));
      } catch (IOException e) {
        ch.close();
        throw e;
      }
    }
    return ch;
  }

  private static boolean isMailSpool(Path directory) {
    try {
      int mode = (Integer) Files.getAttribute(directory, "unix:mode");
      return (mode & 0020) != 0 && (mode & 03000) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private void append(FileChannel ch, List<MboxStaged> staged) throws IOException {
    long original = ch.size();
    try {
      long position = original;
      position += separatorAfter(ch, original, position);
      for (MboxStaged s : staged) {
        long copied = 0;
        while (copied < s.length()) {
          long n =
              spool.transferTo(
                  s.start() + copied, s.length() - copied, ch.position(position + copied));
          if (n <= 0) {
            throw new IOException("the spool ended early");
          }
          copied += n;
        }
        position += s.length();
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // Leave the file as it was: no reader may ever see half a message.
      ch.truncate(original);
      ch.force(true);
      throw e;
    }
  }

  /** A previous message that lacks its final blank line gets it first (qmail's mbox(5)). */
  private static long separatorAfter(FileChannel ch, long size, long position) throws IOException {
    if (size == 0) {
      return 0;
    }
    ByteBuffer tail = ByteBuffer.allocate((int) Math.min(2, size));
    ch.read(tail, size - tail.capacity());
    byte[] t = tail.array();
    byte[] add;
    if (t[t.length - 1] != '\n') {
      add = "\n\n".getBytes(StandardCharsets.US_ASCII);
    } else if (t.length < 2 || t[0] != '\n') {
      add = "\n".getBytes(StandardCharsets.US_ASCII);
    } else {
      return 0;
    }
    ch.write(ByteBuffer.wrap(add), position);
    return add.length;
  }

  /** Both locks, released in reverse order. */
  private record Locks(DotLock dot, FileLock fcntl) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        fcntl.release();
      } finally {
        dot.close();
      }
    }
  }

  /**
   * The dotlock first, then the fcntl lock, as Dovecot (mbox_write_locks = dotlock fcntl) and
   * procmail take them. Writers that take fcntl first (Postfix's default) would deadlock with that
   * order, so the fcntl lock is only tried for a moment: if another writer holds it, the dotlock is
   * let go and both are tried again.
   */
  private Locks lock(DirectoryHandle dir, String name, FileChannel ch) throws IOException {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    while (true) {
      DotLock dot =
          DotLock.acquire(
              dir, name, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), STALE_LOCK);
      long fcntlDeadline = System.nanoTime() + FCNTL_TRY.toNanos();
      do {
        FileLock fcntl = ch.tryLock();
        if (fcntl != null) {
          return new Locks(dot, fcntl);
        }
        DotLock.pause();
      } while (System.nanoTime() < fcntlDeadline);
      dot.close();
      if (System.nanoTime() > deadline) {
        throw DeliveryException.deferred("mbox " + mbox + " is locked (fcntl) by another program");
      }
      DotLock.pause();
    }
  }

  @Override
  public void discard(List<Staged> batch) {
    // A batch is committed or discarded as a whole: the spool starts afresh.
    if (spool != null) {
      try {
        spool.close();
        Files.deleteIfExists(spoolPath);
      } catch (IOException ignored) {
        // private scratch space
      }
      spool = null;
      spoolPath = null;
    }
  }

  private record MboxStaged(long start, long length) implements Staged {
    @Override
    public long size() {
      return length;
    }
  }

  /** The From_ line, mboxrd quoting, and the blank line that ends a message. */
  private record MboxrdFormat(String fromLine) implements Spool.Format {
    @Override
    public byte[] prefix() {
      return fromLine.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public OutputStream filter(OutputStream lfText) {
      return new MboxrdQuotingOutputStream(lfText);
    }

    @Override
    public void endFilter(OutputStream filtered) throws IOException {
      ((MboxrdQuotingOutputStream) filtered).finish();
    }

    @Override
    public void finish(OutputStream out, int lastByte) throws IOException {
      if (lastByte != '\n') {
        out.write('\n');
      }
      out.write('\n');
    }
  }
}
