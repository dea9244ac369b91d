package org.popfetch.message;

import java.io.IOException;

/**
 * A message that can be read as it is stored locally (Maildir, mbox), each CRLF an LF, converted in
 * the same pass that reads it rather than in a second pass over a copy.
 */
public interface LfReadable {
  /**
   * Reads up to {@code len} octets of the message into {@code b} with each CRLF as LF; a CR not
   * followed by LF is data and is kept. Blocks until at least one octet can be given, unless {@code
   * len} is 0.
   *
   * @return the octets read, or -1 at the end of the message
   * @throws IOException if the message cannot be read to its end; what was read before is whole
   */
  int readLf(byte[] b, int off, int len) throws IOException;
}
