package org.popfetch.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away certificate authority for TLS tests: a CA and the leaf certificates it signs. */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final KeyPair caKeys;
  private final X509Certificate caCert;

  private TestPki(KeyPair caKeys, X509Certificate caCert) {
    this.caKeys = caKeys;
    this.caCert = caCert;
  }

  public static TestPki create(String name) {
    try {
      KeyPair keys = newKeyPair();
      X500Name subject = new X500Name("CN=" + name);
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              subject,
              keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestPki(keys, sign(b, keys));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate caCertificate() {
    return caCert;
  }

  /** A server certificate for these names (DNS names or IP literals), valid now. */
  public Leaf issue(String... names) {
    Instant now = Instant.now();
    return issue(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false, names);
  }

  /** A server certificate that expired yesterday. */
  public Leaf issueExpired(String... names) {
    Instant now = Instant.now();
    return issue(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), false, names);
  }

  /** A certificate for these names signed by its own key, not by this CA. */
  public static Leaf selfSigned(String... names) {
    Instant now = Instant.now();
    return create("unused")
        .issue(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true, names);
  }

  private Leaf issue(Instant notBefore, Instant notAfter, boolean self, String... names) {
    try {
      KeyPair keys = newKeyPair();
      X500Name subject = new X500Name("CN=" + names[0]);
      X500Name issuer = self ? subject : new X500Name(caCert.getSubjectX500Principal().getName());
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              keys.getPublic());
      List<GeneralName> alt = new ArrayList<>();
      for (String n : names) {
        boolean ip = n.matches("[0-9.]+") || n.contains(":");
        alt.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
      }
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(alt.toArray(GeneralName[]::new)));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      X509Certificate cert = sign(b, self ? keys : caKeys);
      List<X509Certificate> chain = self ? List.of(cert) : List.of(cert, caCert);
      return new Leaf(keys, cert, chain);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the CA certificate as PEM, for a client's CA file. */
  public Path writeCaPem(Path file) throws IOException {
    Files.writeString(file, pem(caCert));
    return file;
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
      throws Exception {
    ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(s));
  }

  static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }

  /** A server's key and certificate chain. */
  public record Leaf(KeyPair keys, X509Certificate certificate, List<X509Certificate> chain) {
    public SSLContext serverContext() {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
            "server", keys.getPrivate(), "pw".toCharArray(), chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    public byte[] sha256() {
      try {
        return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** Writes the chain and the key as PEM, as Dovecot's ssl_cert and ssl_key want them. */
    public void writePem(Path certFile, Path keyFile) throws IOException {
      StringBuilder sb = new StringBuilder();
      for (X509Certificate c : chain) {
        sb.append(pem(c));
      }
      Files.writeString(certFile, sb);
      // PKCS#8 as the JDK encodes it; OpenSSL 3 reads it where it rejects some other encodings.
      String body =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(keys.getPrivate().getEncoded());
      Files.writeString(
          keyFile, "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
    }
  }
}
