package org.popfetch.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.popfetch.fetch.DeliveryException;
import org.popfetch.fetch.Destination;
import org.popfetch.fetch.Incoming;
import org.popfetch.message.MessageStream;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.IoReason;

/**
 * Delivers into a Maildir (cr.yp.to/proto/maildir.html) with a group commit.
 *
 * <p>{@link #stage} writes {@code tmp/<unique>} (created exclusively, mode 0600) with LF line ends.
 * Told how many messages a batch has ({@link #expect}), the Maildir creates their tmp/ files ahead
 * on another thread ({@link TmpFilesAhead}), and deletes those not used when the batch ends. {@link
 * #commit} fsyncs each staged file (several at once: {@link ParallelFsync}), renames it into {@code
 * new/<unique>,S=<size>} (after checking the name is free: the unique names make a clash impossible
 * in practice, as Dovecot also relies on), and fsyncs {@code new/} once for the whole batch. At
 * that instant the batch is delivered.
 *
 * <p>Never through a symbolic link: the configured path is walked by {@link TrustedPath}, and from
 * the first directory another user controls (a home directory, say) every step is taken through
 * {@link DirectoryHandle}, relative to directories held open, so that a link planted as the
 * Maildir, as {@code tmp/}, {@code new/}, {@code cur/} or a folder, before or during a delivery, is
 * refused rather than followed. Such a refusal is permanent (an admin must look) and carries no
 * rescued copy, so the message stays on the server.
 *
 * <p>Unique names are {@code <seconds>.M<micros>P<pid>Q<sequence>.<host>}, the host with "/" and
 * ":" escaped as the specification asks.
 */
public final class MaildirDestination implements Destination {
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /**
   * What a Maildir deliverer's tmp/ file is called: seconds, a dot, the rest. Nothing else is
   * cleaned up.
   */
  private static final Pattern DELIVERY_NAME = Pattern.compile("[0-9]+\\..+");

  /** Maildir++: marks a folder's directory as such for Dovecot, Courier and mutt. */
  private static final String FOLDER_MARKER = "maildirfolder";

  private final Path shown;
  private final TrustedPath where;
  private final String host;
  private final long pid = ProcessHandle.current().pid();

  /**
   * Running as root into someone's Maildir, files and directories are given to the Maildir's owner,
   * so the user can read the mail and no root-owned file is left in a user's tree. Null when there
   * is nobody else to give them to.
   */
  private final PosixFileAttributes giveTo;

  /**
   * Reused for every message of a batch, what goes to the file gathered here: a destination serves
   * one poll, on one thread, at a time. Let go when the batch ends, since the service keeps a
   * destination between polls, most of which deliver nothing.
   */
  private byte[] buffer;

  /**
   * tmp/ and new/ of the batch being staged, opened at its first stage and closed at the end of its
   * commit or discard: one walk per batch, not per message, and the whole batch goes to the
   * directories it started in. Null between batches: a detached batch takes its own along.
   */
  private MaildirBatchDirectories batchDirs;

  private static final Cleaner CLEANER = Cleaner.create();

  /** Messages the next batch is to have, as {@link #expect} was told; 0 if not told. */
  private int expected;

  /** The files of the batch being staged, made ahead of its messages; null if none are. */
  private TmpFilesAhead ahead;

  /**
   * Uses {@code root}, creating it and tmp/, new/, cur/ (mode 0700) if missing, then removes stale
   * tmp/ files.
   *
   * @throws DeliveryException permanent if the path goes through a link another user could have
   *     planted; temporary if the directories cannot be made
   */
  public MaildirDestination(Path root, String hostName) throws DeliveryException {
    this(root, "", hostName);
  }

  /**
   * The Maildir++ folder {@code folder} (".Lists.dev", a single name) of the Maildir at {@code
   * root}, marked with a "maildirfolder" file; the Maildir itself if {@code folder} is empty.
   * Errors as for {@link #MaildirDestination(Path, String)}.
   */
  public static MaildirDestination folder(Path root, String folder, String hostName)
      throws DeliveryException {
    return new MaildirDestination(root, folder, hostName);
  }

  private MaildirDestination(Path root, String folder, String hostName) throws DeliveryException {
    if (folder.contains("/") || folder.equals(".") || folder.equals("..")) {
      throw new IllegalArgumentException("not a folder name: " + folder);
    }
    this.shown = folder.isEmpty() ? root : root.resolve(folder);
    this.host = hostName.replace("/", "\\057").replace(":", "\\072");
    try {
      TrustedPath located = TrustedPath.locate(root);
      List<String> below = new ArrayList<>(located.below());
      if (!folder.isEmpty()) {
        below.add(folder);
      }
      this.where = new TrustedPath(located.anchor(), below);
      this.giveTo = create(!folder.isEmpty());
    } catch (UnsafePathException e) {
      throw refused(e);
    } catch (IOException e) {
      throw DeliveryException.deferred("cannot create Maildir " + shown + ": " + IoReason.of(e), e);
    }
    removeStaleTmpFiles();
  }

  /**
   * Makes what is missing of the Maildir, each directory given to the owner of the one it is made
   * in, and returns the owner its files are to be given to: the Maildir directory's own (read from
   * the open directory, not from a name), if we are root and it is someone else.
   */
  private PosixFileAttributes create(boolean marked) throws IOException {
    boolean root = Identity.isRoot();
    DirectoryHandle dir = DirectoryHandle.open(where.anchor());
    try {
      for (String name : where.below()) {
        DirectoryHandle next = dir.childCreating(name, DIR_MODE, foreign(dir.attributes(), root));
        dir.close();
        dir = next;
      }
      PosixFileAttributes owner = foreign(dir.attributes(), root);
      for (String sub : List.of("tmp", "new", "cur")) {
        dir.childCreating(sub, DIR_MODE, owner).close();
      }
      if (marked && dir.stat(FOLDER_MARKER).isEmpty()) {
        try {
          dir.createFile(FOLDER_MARKER, FILE_MODE).close();
          dir.handOver(FOLDER_MARKER, owner);
        } catch (FileAlreadyExistsException raced) {
          // another deliverer marked it
        }
      }
      return owner;
    } finally {
      dir.close();
    }
  }

  /** The directory's owner if we are root and it is not. */
  private static PosixFileAttributes foreign(PosixFileAttributes dir, boolean root) {
    return root && !"root".equals(dir.owner().getName()) ? dir : null;
  }

  private DeliveryException refused(UnsafePathException e) {
    return DeliveryException.rejected(
        "refusing to deliver to maildir "
            + shown
            + ": "
            + e.getMessage()
            + "; the mail stays on the server",
        e);
  }

  /** The Maildir directory, reached from the anchor one name at a time without following links. */
  private DirectoryHandle open() throws IOException {
    return DirectoryHandle.open(where);
  }

  /** tmp/, new/ or cur/ of the Maildir. */
  private DirectoryHandle open(String sub) throws IOException {
    try (DirectoryHandle maildir = open()) {
      return maildir.child(sub);
    }
  }

  /**
   * Deletes tmp/ files older than 36 hours, as the Maildir specification suggests: leftovers of a
   * crash between write and rename, which no reader ever sees and which were never delivered (their
   * messages stayed on the server). Only regular files named as deliverers name them, removed by
   * name inside tmp/ itself: a link is never followed, and a directory that is not a Maildir's tmp/
   * loses nothing that does not look like a delivery.
   */
  private void removeStaleTmpFiles() {
    Instant cutoff = Instant.now().minus(Duration.ofHours(36));
    try (DirectoryHandle tmp = open("tmp")) {
      for (String name : tmp.names()) {
        if (!DELIVERY_NAME.matcher(name).matches()) {
          continue;
        }
        Optional<PosixFileAttributes> a = tmp.stat(name);
        if (a.isPresent()
            && a.get().isRegularFile()
            && a.get().lastModifiedTime().toInstant().isBefore(cutoff)) {
          tmp.delete(name);
        }
      }
    } catch (IOException ignored) {
      // housekeeping only: a delivery does not depend on it
    }
  }

  @Override
  public String describe() {
    return "maildir " + shown;
  }

  /** The next batch's tmp/ files are made ahead of its messages, as many as it has. */
  @Override
  public void expect(int messages) {
    expected = messages;
  }

  @Override
  public Staged stage(Incoming message, InputStream wireBody) throws DeliveryException {
    TraceHeaders trace = message.trace();
    DirectoryHandle tmp = openBatch();
    String unique = null;
    FileChannel channel = null;
    try {
      TmpFilesAhead.Made made = ahead == null ? null : ahead.take();
      if (made != null) {
        unique = made.name();
        channel = made.channel();
      } else {
        unique = uniqueName();
        channel = tmp.createOwnedFile(unique, FILE_MODE, giveTo);
      }
      if (buffer == null) {
        buffer = new byte[64 * 1024];
      }
      CountingOutputStream counted = new CountingOutputStream(Channels.newOutputStream(channel));
      // One pass: the trace fields, then the message read with LF line ends (from the wire,
      // unstuffed and converted as it is read), gathered in one buffer that goes to the file
      // whole: no buffer is allocated per message.
      MessageStream lf = new MessageStream(trace.toBytes("\n"), wireBody);
      byte[] buf = buffer;
      int used = 0;
      int n;
      while ((n = lf.readLf(buf, used, buf.length - used)) >= 0) {
        used += n;
        if (used == buf.length) {
          counted.write(buf, 0, used);
          used = 0;
        }
      }
      if (used > 0) {
        counted.write(buf, 0, used);
      }
      batchDirs.staged++;
      return new MaildirStaged(unique, channel, counted.count(), batchDirs);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      if (channel != null) {
        deleteQuietly(tmp, unique);
      }
      if (batchDirs.staged == 0) {
        closeBatch(); // no commit or discard may follow a batch with nothing in it
      }
      if (e instanceof DeliveryException d) {
        throw d;
      }
      throw DeliveryException.deferred(
          "cannot write "
              + shown.resolve("tmp").resolve(unique == null ? "" : unique)
              + ": "
              + describe(e),
          e);
    }
  }

  @Override
  public void commit(List<Staged> batch) throws DeliveryException {
    seal(batch).run();
  }

  /** Always: a batch's commit works on its own directories and files only. */
  @Override
  public Optional<Commit> detach(List<Staged> batch) {
    return Optional.of(seal(batch));
  }

  /**
   * Ends the staging of the batch (the next stage opens fresh directories) and returns its commit:
   * fsync each file, move each into new/, fsync new/ once, then close the batch's directories.
   */
  private Commit seal(List<Staged> batch) {
    List<MaildirStaged> staged = new ArrayList<>(batch.size());
    for (Staged s : batch) {
      staged.add((MaildirStaged) s);
    }
    if (staged.isEmpty()) {
      closeBatch();
      return () -> {};
    }
    MaildirBatchDirectories dirs = staged.get(0).dirs;
    if (dirs == batchDirs) {
      stopAhead();
      batchDirs = null;
      buffer = null;
    }
    return () -> {
      try {
        List<FileChannel> channels = new ArrayList<>(staged.size());
        for (MaildirStaged s : staged) {
          channels.add(s.channel);
        }
        ParallelFsync.forceAll(channels);
        for (MaildirStaged s : staged) {
          s.channel.close();
        }
        for (MaildirStaged s : staged) {
          s.moveIntoNew(dirs.tmp, dirs.newDir);
        }
        dirs.newDir.sync();
      } catch (IOException e) {
        throw DeliveryException.deferred("cannot commit to " + shown + ": " + describe(e), e);
      } finally {
        dirs.close();
      }
    };
  }

  /** Closes the batch being staged, if there is one. */
  private void closeBatch() {
    if (batchDirs != null) {
      stopAhead();
      batchDirs.close();
      batchDirs = null;
      buffer = null;
    }
  }

  /**
   * The batch's tmp/ (and new/), opened now if this is its first message.
   *
   * @throws DeliveryException permanent if a link stands where the Maildir or one of them should
   *     be, temporary if they cannot be opened
   */
  private DirectoryHandle openBatch() throws DeliveryException {
    if (batchDirs == null) {
      try (DirectoryHandle maildir = open()) {
        DirectoryHandle tmp = maildir.child("tmp");
        DirectoryHandle newDir;
        try {
          newDir = maildir.child("new");
        } catch (IOException | RuntimeException e) {
          tmp.close();
          throw e;
        }
        batchDirs = new MaildirBatchDirectories(CLEANER, this, tmp, newDir);
        if (expected > 1) {
          ahead = TmpFilesAhead.start(tmp, expected, this::uniqueName, FILE_MODE, giveTo);
        }
        expected = 0;
      } catch (UnsafePathException e) {
        throw refused(e);
      } catch (IOException e) {
        throw DeliveryException.deferred("cannot open Maildir " + shown + ": " + describe(e), e);
      }
    }
    return batchDirs.tmp;
  }

  /**
   * Closes and deletes the files. A batch's directories are closed once nothing staged through them
   * is left: part of a batch can be discarded and the rest committed.
   */
  @Override
  public void discard(List<Staged> batch) {
    for (Staged s : batch) {
      closeQuietly(((MaildirStaged) s).channel);
    }
    for (Staged s : batch) {
      MaildirBatchDirectories dirs = ((MaildirStaged) s).dirs;
      if (dirs.isClosed()) {
        continue; // its commit failed and closed them; a stale tmp/ file is harmless
      }
      deleteQuietly(dirs.tmp, ((MaildirStaged) s).unique);
      if (--dirs.staged == 0) {
        if (dirs == batchDirs) {
          stopAhead();
          batchDirs = null;
          buffer = null;
        }
        dirs.close();
      }
    }
    if (batch.isEmpty() && batchDirs != null && batchDirs.staged == 0) {
      closeBatch();
    }
  }

  /** Deletes the batch's files made ahead and not used, before its directories are let go. */
  private void stopAhead() {
    if (ahead != null) {
      ahead.close();
      ahead = null;
    }
  }

  private String uniqueName() {
    long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
    return micros / 1_000_000
        + ".M"
        + micros % 1_000_000
        + "P"
        + pid
        + "Q"
        + SEQUENCE.incrementAndGet()
        + "."
        + host;
  }

  private static String describe(Exception e) {
    if (e instanceof IOException io) {
      return IoReason.of(io);
    }
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
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

  private static void deleteQuietly(DirectoryHandle tmp, String name) {
    try {
      tmp.delete(name);
    } catch (IOException ignored) {
      // a stale tmp/ file is harmless: readers never look there
    }
  }

  private final class MaildirStaged implements Staged {
    final String unique;
    final FileChannel channel;
    final long size;
    final MaildirBatchDirectories dirs;

    MaildirStaged(String unique, FileChannel channel, long size, MaildirBatchDirectories dirs) {
      this.unique = unique;
      this.channel = channel;
      this.size = size;
      this.dirs = dirs;
    }

    @Override
    public long size() {
      return size;
    }

    /** tmp/unique to new/unique,S=size, under a fresh name if that one is taken. */
    void moveIntoNew(DirectoryHandle tmp, DirectoryHandle newDir) throws IOException {
      String name = unique + ",S=" + size;
      for (int attempt = 0; newDir.stat(name).isPresent(); attempt++) {
        if (attempt >= 10) {
          throw new FileAlreadyExistsException(newDir.path().resolve(name).toString());
        }
        name = uniqueName() + ",S=" + size; // another deliverer took the name: take a fresh one
      }
      tmp.move(unique, newDir, name);
    }
  }
}
