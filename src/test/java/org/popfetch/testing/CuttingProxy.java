package org.popfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP proxy on loopback that passes one connection through to a real server and cuts it, both
 * ways at once, right after the server has sent a given marker: a connection lost in the middle of
 * a message, at a place the test chooses.
 */
public final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final Thread thread;
  private volatile boolean cut;

  public CuttingProxy(int targetPort, String marker) throws IOException {
    listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    byte[] needle = marker.getBytes(StandardCharsets.ISO_8859_1);
    thread =
        new Thread(
            () -> {
              try (Socket client = listener.accept();
                  Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                Thread up = new Thread(() -> pump(client, server, null), "proxy-up");
                up.setDaemon(true);
                up.start();
                pump(server, client, needle);
                client.close();
                server.close();
              } catch (IOException e) {
                // the test sees the effect on the client; nothing to report from here
              }
            },
            "proxy-down");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** True once the marker went by and the connection was cut. */
  public boolean hasCut() {
    return cut;
  }

  private void pump(Socket from, Socket to, byte[] needle) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buf = new byte[8192];
      int matched = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        if (needle == null) {
          out.write(buf, 0, n);
          continue;
        }
        for (int i = 0; i < n; i++) {
          matched = buf[i] == needle[matched] ? matched + 1 : (buf[i] == needle[0] ? 1 : 0);
          if (matched == needle.length) {
            out.write(buf, 0, i + 1);
            out.flush();
            cut = true;
            return; // the caller closes both sockets: the rest of the message never arrives
          }
        }
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // one side hung up: the other follows when the sockets close
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
