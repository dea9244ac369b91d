package org.popfetch.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A TLS server on loopback for any number of connections, each either answered with one line or
 * passed through to a plain TCP port (a TLS front for a server that speaks only plain POP3). It
 * counts the full handshakes, those in which it chose a certificate to send: a resumed session
 * sends none, so connections less full handshakes is the number of sessions resumed.
 */
public final class TlsFront implements AutoCloseable {
  private final SSLServerSocket listener;
  private final Set<Socket> certificateSent = Collections.newSetFromMap(new IdentityHashMap<>());
  private final AtomicInteger handshakes = new AtomicInteger();

  private interface Handler {
    void serve(SSLSocket client) throws IOException;
  }

  private TlsFront(TestPki.Leaf leaf, Handler handler) throws IOException {
    listener =
        (SSLServerSocket)
            context(leaf)
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try {
                  SSLSocket client = (SSLSocket) listener.accept();
                  Thread t = new Thread(() -> serve(client, handler), "tls-front-connection");
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return; // closed
                }
              }
            },
            "tls-front");
    accept.setDaemon(true);
    accept.start();
  }

  /** Answers each connection with {@code line} after the handshake, then waits for its close. */
  public static TlsFront greeting(TestPki.Leaf leaf, String line) throws IOException {
    return new TlsFront(
        leaf,
        client -> {
          client.getOutputStream().write((line + "\r\n").getBytes(US_ASCII));
          client.getOutputStream().flush();
          client.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
  }

  /** Passes each connection through to {@code port} on loopback, both ways. */
  public static TlsFront forward(TestPki.Leaf leaf, int port) throws IOException {
    return new TlsFront(
        leaf,
        client -> {
          try (Socket server = new Socket(InetAddress.getLoopbackAddress(), port)) {
            Thread up = new Thread(() -> pump(client, server), "tls-front-up");
            up.setDaemon(true);
            up.start();
            pump(server, client);
          }
        });
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream()) {
      in.transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side is gone
    } finally {
      try {
        to.close();
      } catch (IOException e) {
        // closed is closed
      }
    }
  }

  private void serve(SSLSocket client, Handler handler) {
    try (client) {
      client.setSoTimeout(20_000);
      long started = System.currentTimeMillis();
      client.startHandshake();
      handshakes.incrementAndGet();
      // Java 25's server asks the key manager for a certificate even when it then resumes the
      // session (Java 17's does not): a resumed session keeps its first handshake's creation time.
      if (client.getSession().getCreationTime() < started) {
        synchronized (certificateSent) {
          certificateSent.remove(client);
        }
      }
      handler.serve(client);
    } catch (IOException e) {
      // refused by the client, or gone
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Handshakes completed on the server's side, full or resumed. */
  public int handshakes() {
    return handshakes.get();
  }

  /** Handshakes in which a certificate was chosen to be sent, completed or not. */
  public int fullHandshakes() {
    synchronized (certificateSent) {
      return certificateSent.size();
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  private SSLContext context(TestPki.Leaf leaf) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "server",
          leaf.keys().getPrivate(),
          "pw".toCharArray(),
          leaf.chain().toArray(X509Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "pw".toCharArray());
      X509ExtendedKeyManager real = null;
      for (KeyManager m : kmf.getKeyManagers()) {
        if (m instanceof X509ExtendedKeyManager x) {
          real = x;
        }
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {new Counting(real)}, null, null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's key manager, noting each connection it chose a certificate for. */
  private final class Counting extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager real;

    Counting(X509ExtendedKeyManager real) {
      this.real = real;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      String alias = real.chooseServerAlias(keyType, issuers, socket);
      if (alias != null) {
        synchronized (certificateSent) {
          certificateSent.add(socket);
        }
      }
      return alias;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      throw new UnsupportedOperationException("sockets only");
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return real.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return real.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return real.getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return real.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return real.getPrivateKey(alias);
    }
  }
}
