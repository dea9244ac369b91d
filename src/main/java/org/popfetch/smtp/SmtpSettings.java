package org.popfetch.smtp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.popfetch.net.Timeouts;
import org.popfetch.net.TlsTrust;

/**
 * Where and how to connect.
 *
 * @param host server name; the certificate must carry it. A path (starting with "/") is a unix
 *     socket, for LMTP to a local server such as Dovecot's; no TLS there
 * @param port 25 or 587 (STARTTLS), 465 (implicit TLS), an LMTP port
 * @param tls how the connection is protected
 * @param trust which certificates to accept
 * @param timeouts connect timeout and the ordinary per-command read timeout
 * @param dataDoneTimeout how long to wait for the reply to the final "." (RFC 5321 section 4.5.3.2:
 *     at least 10 minutes; giving up early risks the message being delivered twice)
 * @param helo the name popfetch gives in EHLO/LHLO
 * @param lmtp speak LMTP (RFC 2033) instead of SMTP
 * @param allowPlaintextAuth send credentials without TLS
 * @param address connect here instead of resolving {@code host} (an MX host's address looked up
 *     through a configured resolver); the certificate is still checked against {@code host}
 */
public record SmtpSettings(
    String host,
    int port,
    Tls tls,
    TlsTrust trust,
    Timeouts timeouts,
    Duration dataDoneTimeout,
    String helo,
    boolean lmtp,
    boolean allowPlaintextAuth,
    Optional<InetAddress> address) {

  /** How the connection is protected. */
  public enum Tls {
    IMPLICIT,
    STARTTLS,
    /** No TLS: only for a local relay on loopback or a unix socket. */
    NONE
  }

  public SmtpSettings {
    Objects.requireNonNull(host);
    Objects.requireNonNull(tls);
    Objects.requireNonNull(trust);
    Objects.requireNonNull(timeouts);
    Objects.requireNonNull(dataDoneTimeout);
    Objects.requireNonNull(helo);
  }

  public SmtpSettings(
      String host,
      int port,
      Tls tls,
      TlsTrust trust,
      Timeouts timeouts,
      Duration dataDoneTimeout,
      String helo,
      boolean lmtp,
      boolean allowPlaintextAuth) {
    this(
        host,
        port,
        tls,
        trust,
        timeouts,
        dataDoneTimeout,
        helo,
        lmtp,
        allowPlaintextAuth,
        Optional.empty());
  }

  /** Settings whose connection and final-reply waits are {@code waits}. */
  public SmtpSettings(
      String host,
      int port,
      Tls tls,
      TlsTrust trust,
      SmtpTimeouts waits,
      String helo,
      boolean lmtp,
      boolean allowPlaintextAuth) {
    this(
        host,
        port,
        tls,
        trust,
        waits.connection(),
        waits.dataDone(),
        helo,
        lmtp,
        allowPlaintextAuth);
  }

  /** The same settings for another host (an MX), reached at {@code address}. */
  public SmtpSettings at(String otherHost, InetAddress at) {
    return new SmtpSettings(
        otherHost,
        port,
        tls,
        trust,
        timeouts,
        dataDoneTimeout,
        helo,
        lmtp,
        allowPlaintextAuth,
        Optional.of(at));
  }

  public String peer() {
    return host.startsWith("/") ? host : host + ":" + port;
  }
}
