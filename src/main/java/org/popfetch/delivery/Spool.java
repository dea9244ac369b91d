package org.popfetch.delivery;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.popfetch.message.MessageStream;
import org.popfetch.message.TraceHeaders;

/**
 * A private temporary copy of one message as a local destination will have it (LF line ends, trace
 * headers on top), so that a program can read it from a file and a mailbox lock is held only while
 * bytes are copied, never while a slow server sends them.
 */
final class Spool {
  private Spool() {}

  /** What to put around the message: a prefix line, a line filter, what to end with. */
  interface Format {
    Format PLAIN = new Format() {};

    default byte[] prefix() {
      return new byte[0];
    }

    default OutputStream filter(OutputStream lfText) {
      return lfText;
    }

    /** Ends what {@link #filter} started, before {@link #finish}. */
    default void endFilter(OutputStream filtered) throws IOException {}

    /** Called after the message with the last byte written (-1 if none). */
    default void finish(OutputStream out, int lastByte) throws IOException {}
  }

  /** A written spool file and its size. */
  record File(Path path, long size) {}

  static File write(
      Path dir, TraceHeaders trace, InputStream wireMessage, Format format, byte[] buffer)
      throws IOException {
    Path file =
        Files.createTempFile(
            dir,
            "popfetch-",
            ".msg",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024)) {
      return new File(file, write(raw, trace, wireMessage, format, buffer));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /** Writes the message as the format wants it to {@code raw} and returns the octets written. */
  static long write(
      OutputStream raw, TraceHeaders trace, InputStream wireMessage, Format format, byte[] buffer)
      throws IOException {
    Counting counted = new Counting(raw);
    counted.write(format.prefix());
    OutputStream filtered = format.filter(counted);
    // One pass: the message read with LF line ends (from the wire, unstuffed and converted as it
    // is read), the trace fields on top.
    MessageStream lf = new MessageStream(trace.toBytes("\n"), wireMessage);
    int n;
    while ((n = lf.readLf(buffer, 0, buffer.length)) >= 0) {
      filtered.write(buffer, 0, n);
    }
    format.endFilter(filtered);
    format.finish(counted, counted.last);
    counted.flush();
    return counted.count;
  }

  /** Counts octets and remembers the last one. */
  private static final class Counting extends FilterOutputStream {
    long count;
    int last = -1;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
      last = b & 0xff;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > 0) {
        out.write(b, off, len);
        count += len;
        last = b[off + len - 1] & 0xff;
      }
    }
  }
}
