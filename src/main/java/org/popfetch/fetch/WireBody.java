package org.popfetch.fetch;

import java.io.IOException;
import java.io.InputStream;
import org.popfetch.message.LfReadable;
import org.popfetch.net.DotTerminatedInputStream;

/**
 * A body as RETR delivers it, as the destinations take it: a stream of the octets as sent (CRLF),
 * which a local destination reads with LF line ends instead ({@link
 * DotTerminatedInputStream#readLf}), unstuffed and converted in one pass over the reader's buffer.
 */
final class WireBody extends InputStream implements LfReadable {
  private final DotTerminatedInputStream body;

  WireBody(DotTerminatedInputStream body) {
    this.body = body;
  }

  @Override
  public int read() throws IOException {
    return body.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return body.read(b, off, len);
  }

  @Override
  public int readLf(byte[] b, int off, int len) throws IOException {
    return body.readLf(b, off, len);
  }

  @Override
  public int available() {
    return body.available();
  }

  /** Reads on to the end of the body, so the session stays in step. */
  @Override
  public void close() throws IOException {
    body.close();
  }
}
