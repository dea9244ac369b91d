package org.popfetch.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scripted peer for protocol tests, in the send/expect style of getmail's MockTCP: the script
 * plays the server's side of one conversation, byte for byte, including misbehaviour no real server
 * shows on demand (stalls, cut connections, endless lines, injected bytes).
 *
 * <p>A failed expectation in the script is rethrown by {@link #close()}, so the test fails.
 */
public final class ScriptedServer implements AutoCloseable {
  /** The server's side of one connection. */
  @FunctionalInterface
  public interface Script {
    void play(Conversation c) throws Exception;
  }

  private final ServerSocket listener;
  private final Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Socket connection;

  public ScriptedServer(Script script) throws IOException {
    this(null, script);
  }

  /** With {@code implicitTls}, the connection is TLS from the first byte. */
  public ScriptedServer(SSLContext implicitTls, Script script) throws IOException {
    this(0, implicitTls, script);
  }

  /** On a given port (0 for any): a second session of the "same" server. */
  public ScriptedServer(int port, SSLContext implicitTls, Script script) throws IOException {
    listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5);
    thread =
        new Thread(
            () -> {
              try (Socket s = listener.accept()) {
                s.setSoTimeout(20_000);
                s.setTcpNoDelay(true);
                connection = s;
                Conversation c = new Conversation(s);
                if (implicitTls != null) {
                  c.startTls(implicitTls);
                }
                script.play(c);
              } catch (Throwable t) {
                failure.set(t);
              } finally {
                done.countDown();
              }
            },
            "scripted-server");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Waits for the script to end and rethrows what went wrong in it. */
  public void awaitScript() throws Exception {
    if (!done.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("script did not finish within 30s");
    }
    Throwable t = failure.get();
    if (t instanceof Exception e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      awaitScript();
    } finally {
      listener.close();
      Socket s = connection;
      if (s != null) {
        s.close();
      }
    }
  }

  /** One connection, seen from the server. */
  public static final class Conversation {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Conversation(Socket socket) throws IOException {
      attach(socket);
    }

    private void attach(Socket s) throws IOException {
      socket = s;
      in = s.getInputStream();
      out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
    }

    /** Sends each line with CRLF, in one flush. */
    public Conversation send(String... lines) throws IOException {
      for (String line : lines) {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
      return this;
    }

    public Conversation sendRaw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      return this;
    }

    /** Sends in two TCP writes split at {@code at}. */
    public Conversation sendSplit(byte[] bytes, int at) throws IOException {
      out.write(bytes, 0, at);
      out.flush();
      out.write(bytes, at, bytes.length - at);
      out.flush();
      return this;
    }

    /** Sends one byte per write, as a re-chunking proxy would. */
    public Conversation sendByteByByte(byte[] bytes) throws IOException {
      for (byte b : bytes) {
        out.write(b);
        out.flush();
      }
      return this;
    }

    public OutputStream output() {
      return out;
    }

    /** The client's bytes, unbuffered, for a script that must see every octet as sent. */
    public InputStream input() {
      return in;
    }

    /** Reads one line without CRLF; null if the client closed the connection. */
    public String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        int b = in.read();
        if (b < 0) {
          return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
        if (b == '\n') {
          String s = line.toString(StandardCharsets.ISO_8859_1);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        line.write(b);
      }
    }

    /** Reads one line and checks it is exactly {@code expected}. */
    public String expect(String expected) throws IOException {
      String line = readLine();
      if (!expected.equals(line)) {
        throw new AssertionError(
            "server expected [" + expected + "] but client sent [" + line + "]");
      }
      return line;
    }

    /**
     * Reads one line and checks it is {@code expected}, after answering with {@code statAnswer} a
     * STAT that comes first: a one-shot poll asks STAT right after its login, a poll in the service
     * only when it lists after a listing mark.
     */
    public String expectAfterAnyStat(String expected, String statAnswer) throws IOException {
      String line = readLine();
      if ("STAT".equals(line)) {
        send(statAnswer);
        line = readLine();
      }
      if (!expected.equals(line)) {
        throw new AssertionError(
            "server expected [" + expected + "] but client sent [" + line + "]");
      }
      return line;
    }

    /** Reads one line and checks that it starts with {@code prefix}. */
    public String expectPrefix(String prefix) throws IOException {
      String line = readLine();
      if (line == null || !line.startsWith(prefix)) {
        throw new AssertionError(
            "server expected a line starting [" + prefix + "] but client sent [" + line + "]");
      }
      return line;
    }

    /** Waits until the client closes the connection, failing if it sends a line meanwhile. */
    public void expectClose() throws IOException {
      String line;
      try {
        line = readLine();
      } catch (IOException e) {
        return; // reset by the client: closed too
      }
      if (line != null) {
        throw new AssertionError(
            "server expected the client to hang up, but it sent [" + line + "]");
      }
    }

    /** Everything the client sends until it hangs up (a TLS ClientHello, say), as ISO-8859-1. */
    public String readUntilClose() throws IOException {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      try {
        in.transferTo(all);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("client did not hang up within 20s");
      } catch (IOException e) {
        // reset by the client: it hung up
      }
      return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Says nothing and reads nothing until the client gives up and closes. */
    public void stall() throws IOException {
      try {
        while (in.read() >= 0) {
          // swallow whatever arrives; a stalled server does not answer
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("client did not give up on a stalled server within 20s");
      } catch (IOException e) {
        // reset by the client: it gave up
      }
    }

    /** Puts TLS over the connection, server side. */
    public void startTls(SSLContext context) throws IOException {
      SSLSocket ssl =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(
                      socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
      ssl.setUseClientMode(false);
      ssl.startHandshake();
      attach(ssl);
    }

    /** Tries a TLS handshake and reports whether the client completed it. */
    public boolean tryTls(SSLContext context) {
      try {
        startTls(context);
        // the client may still reject the certificate after the server's part of the handshake
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    public void close() throws IOException {
      socket.close();
    }
  }
}
