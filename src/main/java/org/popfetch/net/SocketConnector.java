package org.popfetch.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Opens TCP connections with the connect and read timeouts applied from the first byte. */
public final class SocketConnector {
  private SocketConnector() {}

  /**
   * Connects to {@code host:port}.
   *
   * @throws UnknownHostException if the name does not resolve
   * @throws SocketTimeoutException if the connection is not established within the timeout
   * @throws IOException if the connection is refused or fails otherwise
   */
  public static Socket connect(String host, int port, Timeouts timeouts) throws IOException {
    return connect(new InetSocketAddress(host, port), host, port, timeouts);
  }

  /** Connects to an address already looked up ({@code name} is for messages). */
  public static Socket connect(InetAddress address, String name, int port, Timeouts timeouts)
      throws IOException {
    return connect(new InetSocketAddress(address, port), name, port, timeouts);
  }

  private static Socket connect(InetSocketAddress target, String host, int port, Timeouts timeouts)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.setSoTimeout(timeouts.readMillis());
      socket.connect(target, timeouts.connectMillis());
      return socket;
    } catch (SocketTimeoutException e) {
      socket.close();
      SocketTimeoutException t =
          new SocketTimeoutException(
              "no connection to "
                  + host
                  + ":"
                  + port
                  + " within "
                  + timeouts.connect().toSeconds()
                  + "s");
      t.initCause(e);
      throw t;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * The socket's input as the protocol clients read it, behind the minimum-rate guard of {@code
   * timeouts} (a rate of 0 lets any pace through).
   */
  public static MinimumRateInputStream input(Socket socket, Timeouts timeouts) throws IOException {
    long rate = timeouts.minimumRate();
    return new MinimumRateInputStream(
        socket.getInputStream(), rate, rate == 0 ? Long.MAX_VALUE : timeouts.read().toNanos());
  }
}
