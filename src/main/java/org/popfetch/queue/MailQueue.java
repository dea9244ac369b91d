package org.popfetch.queue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's files. {@code incoming/} holds what is being written, {@code deferred/} the envelopes
 * waiting for their next attempt (the time is the file's modification time), {@code active/} those
 * being delivered right now, {@code data/} the messages themselves, {@code corrupt/} whatever could
 * not be read (moved aside, never deleted).
 *
 * <p>Accepting is a group commit: {@link #stage} writes, {@link #commit} fsyncs the files, renames
 * them into place and fsyncs the directories; after that the message is the queue's, and the fetch
 * pass may delete it from the POP3 server.
 */
public final class MailQueue {
  private static final Logger LOG = LoggerFactory.getLogger(MailQueue.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path incoming;
  private final Path active;
  private final Path deferred;
  private final Path data;
  private final Path corrupt;
  private final Clock clock;

  public MailQueue(Path dir, Clock clock) throws IOException {
    this.incoming = dir.resolve("incoming");
    this.active = dir.resolve("active");
    this.deferred = dir.resolve("deferred");
    this.data = dir.resolve("data");
    this.corrupt = dir.resolve("corrupt");
    this.clock = clock;
    for (Path d : List.of(dir, incoming, active, deferred, data, corrupt)) {
      Files.createDirectories(
          d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** A message written to incoming/, not yet accepted. */
  public record Pending(QueueEntry entry, Path message, Path envelope, long size) {}

  /**
   * Writes a message and its envelope to incoming/. Nothing is accepted yet.
   *
   * @throws IOException if writing fails, or the sender (unless "") or a recipient is not fit for
   *     an envelope ({@link org.popfetch.message.Addresses#isEnvelopeSafe}): nothing is then left
   *     in incoming/
   */
  public Pending stage(String sender, List<String> recipients, String route, MessageWriter writer)
      throws IOException {
    String id = newId();
    Map<String, QueueEntry.Status> rcpts = new LinkedHashMap<>();
    for (String r : recipients) {
      rcpts.put(r, QueueEntry.Status.PENDING);
    }
    QueueEntry entry;
    try {
      entry = new QueueEntry(id, sender, rcpts, route, clock.instant(), 0, "");
    } catch (IllegalArgumentException e) {
      throw new IOException("refused for the queue: " + e.getMessage(), e);
    }
    Path message = incoming.resolve(id + ".msg");
    Path envelope = incoming.resolve(id + ".env");
    long size;
    try {
      try (OutputStream out =
          new BufferedOutputStream(
              Files.newOutputStream(
                  message, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              64 * 1024)) {
        size = writer.write(out);
      }
      Files.write(
          envelope, entry.format(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(message);
      deleteQuietly(envelope);
      throw e;
    }
    return new Pending(entry, message, envelope, size);
  }

  /** Writes a message's bytes, as they will go out (CRLF line ends). */
  @FunctionalInterface
  public interface MessageWriter {
    long write(OutputStream out) throws IOException;
  }

  /** Makes the staged messages the queue's: durable, and due at once. */
  public void commit(List<Pending> batch) throws IOException {
    for (Pending p : batch) {
      force(p.message());
      force(p.envelope());
    }
    for (Pending p : batch) {
      Files.move(p.message(), data.resolve(p.entry().id()), StandardCopyOption.ATOMIC_MOVE);
    }
    forceDirectory(data);
    for (Pending p : batch) {
      Path env = deferred.resolve(p.entry().id());
      Files.move(p.envelope(), env, StandardCopyOption.ATOMIC_MOVE);
      Files.setLastModifiedTime(env, FileTime.from(clock.instant()));
    }
    forceDirectory(deferred);
  }

  public void discard(List<Pending> batch) {
    for (Pending p : batch) {
      deleteQuietly(p.message());
      deleteQuietly(p.envelope());
    }
  }

  /** After a crash: what was being delivered is tried again (a duplicate at worst). */
  public void recover() throws IOException {
    for (Path p : list(active)) {
      Files.move(p, deferred.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }
    // incoming/ holds only what was never accepted: the POP3 server still has those messages.
    for (Path p : list(incoming)) {
      deleteQuietly(p);
    }
  }

  /** Every queued envelope with its next attempt time; unreadable ones are moved aside. */
  public List<Scheduled> entries() throws IOException {
    List<Scheduled> out = new ArrayList<>();
    for (Path p : list(deferred)) {
      String id = p.getFileName().toString();
      try {
        QueueEntry e = QueueEntry.parse(id, Files.readAllBytes(p));
        out.add(new Scheduled(e, Files.getLastModifiedTime(p).toInstant()));
      } catch (NoSuchFileException gone) {
        // delivered or deleted meanwhile
      } catch (IOException bad) {
        LOG.error(
            "queue file {} is damaged ({}); moved to {}",
            p,
            LogText.sanitize(bad.getMessage()),
            corrupt);
        Files.move(p, corrupt.resolve(id + ".env"), StandardCopyOption.REPLACE_EXISTING);
        if (Files.exists(data.resolve(id))) {
          Files.move(
              data.resolve(id), corrupt.resolve(id + ".msg"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    out.sort(Comparator.comparing(Scheduled::next));
    return out;
  }

  /** An envelope and when it is due. */
  public record Scheduled(QueueEntry entry, Instant next) {}

  public Optional<Scheduled> find(String id) throws IOException {
    return entries().stream().filter(s -> s.entry().id().equals(id)).findFirst();
  }

  public InputStream open(String id) throws IOException {
    return Files.newInputStream(data.resolve(id));
  }

  public long size(String id) throws IOException {
    return Files.size(data.resolve(id));
  }

  /** Makes a waiting message due now (queue flush ID). */
  public void reschedule(String id, Instant next) throws IOException {
    Files.setLastModifiedTime(deferred.resolve(id), FileTime.from(next));
  }

  /** Marks an envelope as being delivered (a crash now means: try again later). */
  public void activate(String id) throws IOException {
    Files.move(deferred.resolve(id), active.resolve(id), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Writes the envelope's new state and puts it back, due at {@code next}. */
  public void defer(QueueEntry entry, Instant next) throws IOException {
    Path tmp = incoming.resolve(entry.id() + ".env.new");
    Files.write(
        tmp,
        entry.format(),
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
    force(tmp);
    Path target = deferred.resolve(entry.id());
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(target, FileTime.from(next));
    Files.deleteIfExists(active.resolve(entry.id()));
    forceDirectory(deferred);
  }

  /**
   * Removes a message whose every recipient is settled. Not fsynced: if a crash undoes the removal,
   * the message is sent once more (a duplicate, never a loss), and an fsync per sent message would
   * cost more than the sending.
   */
  public void remove(String id) throws IOException {
    Files.deleteIfExists(active.resolve(id));
    Files.deleteIfExists(deferred.resolve(id));
    Files.deleteIfExists(data.resolve(id));
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(out::add);
    }
    return out;
  }

  private static String newId() {
    byte[] r = new byte[6];
    RANDOM.nextBytes(r);
    return Long.toString(System.currentTimeMillis(), 36).toUpperCase()
        + HexFormat.of().withUpperCase().formatHex(r);
  }

  private static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // incoming/ leftovers are cleared by recover()
    }
  }
}
