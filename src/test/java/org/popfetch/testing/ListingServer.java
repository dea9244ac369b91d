package org.popfetch.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A POP3 server whose mailbox is only a listing: every session gets the same LIST and UIDL of
 * {@code entries} messages, as large as a test needs (a million lines, say), and any number of
 * sessions one after the other. RETR and DELE are refused and counted: a client that gets this far
 * with a listing it should have refused shows up in {@link #deletes()}.
 */
public final class ListingServer implements AutoCloseable {
  private final ServerSocket listener;
  private final byte[] list;
  private final byte[] uidl;
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger listingsSent = new AtomicInteger();
  private final AtomicInteger deletes = new AtomicInteger();
  private final AtomicInteger quits = new AtomicInteger();

  /**
   * @param uidLength octets of each unique-id (at least 8)
   * @param size the size LIST reports for every message
   */
  public ListingServer(int entries, int uidLength, long size) throws IOException {
    this(entries, entries, uidLength, size);
  }

  /** A server whose UIDL lists other messages than its LIST, as a hostile one may. */
  public ListingServer(int listEntries, int uidlEntries, int uidLength, long size)
      throws IOException {
    ByteArrayOutputStream l = new ByteArrayOutputStream(listEntries * 12);
    ByteArrayOutputStream u = new ByteArrayOutputStream(uidlEntries * (uidLength + 10));
    String pad = "x".repeat(Math.max(0, uidLength - 8));
    for (int i = 1; i <= listEntries; i++) {
      l.writeBytes((i + " " + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    for (int i = 1; i <= uidlEntries; i++) {
      u.writeBytes(
          (i + " " + pad + String.format("%08x", i) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    list = l.toByteArray();
    uidl = u.toByteArray();
    listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    Thread accept = new Thread(this::accept, "listing-server");
    accept.setDaemon(true);
    accept.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Sessions that got as far as sending both listings whole. */
  public int listingsSent() {
    return listingsSent.get();
  }

  public int sessions() {
    return sessions.get();
  }

  public int deletes() {
    return deletes.get();
  }

  public int quits() {
    return quits.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket s = listener.accept();
        Thread t = new Thread(() -> serve(s), "listing-session");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    sessions.incrementAndGet();
    try (s) {
      s.setSoTimeout(60_000);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
      send(out, "+OK listing server ready");
      boolean listed = false;
      for (String line; (line = readLine(in)) != null; ) {
        String cmd = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        switch (cmd) {
          case "CAPA" -> send(out, "+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.");
          case "USER", "PASS", "NOOP", "RSET" -> send(out, "+OK");
          case "LIST" -> {
            out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(list);
            send(out, ".");
          }
          case "UIDL" -> {
            out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(uidl);
            send(out, ".");
            listed = true;
          }
          case "DELE" -> {
            deletes.incrementAndGet();
            send(out, "-ERR not here");
          }
          case "QUIT" -> {
            quits.incrementAndGet();
            send(out, "+OK bye");
            return;
          }
          default -> send(out, "-ERR not here");
        }
        if (listed && cmd.equals("UIDL")) {
          listingsSent.incrementAndGet();
        }
      }
    } catch (IOException e) {
      // the client hung up, as it does on a listing it will not hold
    }
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() < 1024) {
        sb.append((char) b);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
