package org.popfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A man in the middle for one SMTP connection: passes everything through but deletes the STARTTLS
 * line from the server's EHLO reply, as a downgrade attacker would. Records whether the client sent
 * a MAIL command through it.
 */
public final class StripStarttlsProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final AtomicBoolean mailSeen = new AtomicBoolean();

  public StripStarttlsProxy(int targetPort) throws IOException {
    listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              try (Socket client = listener.accept();
                  Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                Thread up = new Thread(() -> pump(client, server, true), "proxy-up");
                up.setDaemon(true);
                up.start();
                pump(server, client, false);
              } catch (IOException e) {
                // one side hung up
              }
            },
            "strip-proxy");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** True if a MAIL command went through: what a downgraded client must never send. */
  public boolean mailSeen() {
    return mailSeen.get();
  }

  private void pump(Socket from, Socket to, boolean clientSide) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        line.append((char) b);
        if (b != '\n') {
          continue;
        }
        String l = line.toString();
        line.setLength(0);
        if (clientSide && l.toUpperCase().startsWith("MAIL FROM")) {
          mailSeen.set(true);
        }
        if (!clientSide && l.toUpperCase().contains("STARTTLS")) {
          continue; // the downgrade
        }
        out.write(l.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    } catch (IOException e) {
      // closed
    } finally {
      try {
        to.close();
      } catch (IOException ignored) {
        // both sides end here
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
