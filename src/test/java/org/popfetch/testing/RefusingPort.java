package org.popfetch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where nothing listens, held for as long as this is open: the socket is bound but
 * never listens, so a connection to the port is refused, and no other program can take the port in
 * the meantime (as it could one whose socket was closed right after its number was read).
 *
 * <p>The socket allows address reuse, so a server that does too (Java's, asyncio's as aiosmtpd
 * uses, Dovecot's) can be started on the port while it is held: hold it until that server listens,
 * and the port is never free for anyone else in between. A port of 0 asked of the kernel elsewhere
 * is never one already bound, so no other test is handed it.
 */
public final class RefusingPort implements AutoCloseable {
  private final Socket socket = new Socket();

  /** Binds the port; unchecked, so a test can hold one in a field. */
  public RefusingPort() {
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Binds the given port again, to hold it while the server that had it is down; unchecked.
   *
   * @throws UncheckedIOException if another socket holds the port without address reuse
   */
  public RefusingPort(int port) {
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
