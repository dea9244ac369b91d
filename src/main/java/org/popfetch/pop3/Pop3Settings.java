package org.popfetch.pop3;

import java.util.Objects;
import org.popfetch.net.Framing;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;

/**
 * Where and how to connect.
 *
 * @param host server name; the certificate must carry it
 * @param port 995 for implicit TLS, 110 otherwise, as a rule
 * @param tls how the connection is protected
 * @param trust which certificates to accept
 * @param timeouts connect and per-read timeouts
 * @param allowPlaintextLogin send credentials over a connection without TLS; off unless the admin
 *     said so explicitly
 * @param framing where multi-line responses may end; CRLF unless a broken server needs LF
 * @param pipelineWindow at most this many commands outstanding when pipelining
 */
public record Pop3Settings(
    String host,
    int port,
    TlsMode tls,
    TlsTrust trust,
    Timeouts timeouts,
    boolean allowPlaintextLogin,
    Framing framing,
    int pipelineWindow) {

  public static final int DEFAULT_PIPELINE_WINDOW = 32;

  public Pop3Settings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(framing, "framing");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (pipelineWindow < 1) {
      throw new IllegalArgumentException("pipeline window must be at least 1");
    }
  }

  /** Implicit TLS, system trust, default timeouts. */
  public static Pop3Settings implicitTls(String host, int port) {
    return new Pop3Settings(
        host,
        port,
        TlsMode.IMPLICIT,
        TlsTrust.SYSTEM,
        Timeouts.DEFAULT,
        false,
        Framing.CRLF,
        DEFAULT_PIPELINE_WINDOW);
  }

  public Pop3Settings withTls(TlsMode mode) {
    return new Pop3Settings(
        host, port, mode, trust, timeouts, allowPlaintextLogin, framing, pipelineWindow);
  }

  public Pop3Settings withTrust(TlsTrust t) {
    return new Pop3Settings(
        host, port, tls, t, timeouts, allowPlaintextLogin, framing, pipelineWindow);
  }

  public Pop3Settings withTimeouts(Timeouts t) {
    return new Pop3Settings(
        host, port, tls, trust, t, allowPlaintextLogin, framing, pipelineWindow);
  }

  public Pop3Settings withAllowPlaintextLogin(boolean allow) {
    return new Pop3Settings(host, port, tls, trust, timeouts, allow, framing, pipelineWindow);
  }

  public Pop3Settings withFraming(Framing f) {
    return new Pop3Settings(
        host, port, tls, trust, timeouts, allowPlaintextLogin, f, pipelineWindow);
  }

  public Pop3Settings withPipelineWindow(int window) {
    return new Pop3Settings(host, port, tls, trust, timeouts, allowPlaintextLogin, framing, window);
  }

  /** "host:port", for messages. */
  public String peer() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
