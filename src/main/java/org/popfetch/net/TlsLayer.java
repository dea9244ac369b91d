package org.popfetch.net;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Puts TLS over a connected socket: for implicit TLS right after connect (RFC 8314), for STLS and
 * STARTTLS after the server's go-ahead (RFC 2595, RFC 3207).
 *
 * <p>Only TLS 1.2 and 1.3 are offered. The certificate chain is checked against the trust store and
 * the host name against the certificate (endpoint identification, which a raw {@link SSLSocket}
 * does not do unless told), or, with a pin, the certificate is compared with the pinned fingerprint
 * instead. The handshake is bounded by the socket's read timeout.
 *
 * <p>Layers are kept per trust setting ({@link KeptTlsLayers}) and resume TLS sessions with the
 * servers they connected to before.
 */
public final class TlsLayer {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SSLContext context;
  private final boolean pinned;

  private TlsLayer(SSLContext context, boolean pinned) {
    this.context = context;
    this.pinned = pinned;
  }

  /**
   * The TLS layer for one trust setting, kept for the whole process and shared by every connection
   * made with an equal setting, so that the next connection to a server resumes the TLS session of
   * the last one (an abbreviated handshake, no certificate sent or checked again) instead of
   * building a context, a trust store and a full handshake each time. Reads the CA file, if any, at
   * each call: a changed CA file, or a changed system trust store, gets a new layer, with a new
   * session cache, so that no session trusted under the old setting is resumed under the new one.
   * Sessions are cached by the host name and port given to {@link #wrap}: a connection under
   * another name makes a full handshake, with its chain and host name checked.
   *
   * @throws IOException if the CA file cannot be read or holds no certificate
   */
  public static TlsLayer forTrust(TlsTrust trust) throws IOException {
    return KeptTlsLayers.SHARED.layer(trust);
  }

  /**
   * A new layer for {@code trust}, with its own session cache.
   *
   * @param caFileContent the CA file's content as read by the caller, when the trust has a CA file
   *     and no pin; ignored otherwise
   * @throws IOException if the CA file holds no certificate, or TLS cannot be set up
   */
  static TlsLayer build(TlsTrust trust, byte[] caFileContent) throws IOException {
    try {
      TrustManager trustManager;
      if (trust.pinnedSha256().isPresent()) {
        trustManager = new PinnedTrustManager(trust.pinnedSha256().get());
      } else {
        trustManager = chainTrustManager(trust, caFileContent);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager}, null);
      return new TlsLayer(context, trust.pinnedSha256().isPresent());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * Performs the handshake over {@code plain} and verifies the peer.
   *
   * @param host the name the certificate must carry (also sent as SNI)
   * @throws TlsVerificationException if the handshake fails or the certificate is refused
   * @throws SocketTimeoutException if the peer stalls during the handshake
   */
  public SSLSocket wrap(Socket plain, String host, int port) throws IOException {
    SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters params = ssl.getSSLParameters();
    params.setProtocols(PROTOCOLS);
    if (!pinned) {
      params.setEndpointIdentificationAlgorithm("HTTPS");
    }
    ssl.setSSLParameters(params);
    try {
      ssl.startHandshake();
      return ssl;
    } catch (SocketTimeoutException e) {
      ssl.close();
      throw e;
    } catch (SSLException e) {
      ssl.close();
      throw new TlsVerificationException(
          "TLS with " + host + ":" + port + " failed: " + describe(e), e);
    }
  }

  /** Says in plain words why the handshake failed, from the deepest cause that knows. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CertificateExpiredException) {
        return "the server certificate has expired (" + t.getMessage() + ")";
      }
      if (t instanceof CertificateNotYetValidException) {
        return "the server certificate is not yet valid (" + t.getMessage() + ")";
      }
      String m = t.getMessage();
      if (m != null && m.contains("unable to find valid certification path")) {
        return "the server certificate is not signed by a trusted CA"
            + " (self-signed or unknown issuer; add its CA file or pin its fingerprint)";
      }
      if (m != null) {
        message = m;
      }
    }
    return message;
  }

  private static X509TrustManager chainTrustManager(TlsTrust trust, byte[] caFileContent)
      throws GeneralSecurityException, IOException {
    TrustManagerFactory system =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    system.init((KeyStore) null);
    if (trust.caFile().isEmpty()) {
      return findX509(system.getTrustManagers());
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (X509Certificate cert : findX509(system.getTrustManagers()).getAcceptedIssuers()) {
      store.setCertificateEntry("system-" + i++, cert);
    }
    Collection<? extends Certificate> extra;
    try (InputStream in = new ByteArrayInputStream(caFileContent)) {
      extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (extra.isEmpty()) {
      throw new IOException("no certificate in CA file " + trust.caFile().get());
    }
    for (Certificate cert : extra) {
      store.setCertificateEntry("ca-file-" + i++, cert);
    }
    TrustManagerFactory combined =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    combined.init(store);
    return findX509(combined.getTrustManagers());
  }

  private static X509TrustManager findX509(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X.509 trust manager available");
  }

  /** Accepts exactly one certificate, named by its SHA-256 fingerprint. */
  private static final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final byte[] pin;

    PinnedTrustManager(byte[] pin) {
      this.pin = pin.clone();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("server sent no certificate");
      }
      byte[] actual;
      try {
        actual = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
      } catch (NoSuchAlgorithmException e) {
        throw new CertificateException(e);
      }
      if (!MessageDigest.isEqual(actual, pin)) {
        throw new CertificateException(
            "server certificate "
                + TlsTrust.formatFingerprint(actual)
                + " does not match the pinned "
                + TlsTrust.formatFingerprint(pin));
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
