package org.popfetch.net;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * What went wrong on the wire, in words an operator can act on: the peer's name, what the client
 * was waiting for, and the peer's last words where it hung up after saying something. A protocol
 * client turns it into its own exception by {@link #kind()}.
 *
 * @param kind what sort of failure
 * @param message the whole sentence, already naming the peer; peer text in it is escaped
 * @param cause the exception from the socket
 */
public record WireFailure(Kind kind, String message, IOException cause) {
  /** The sorts of failure a client may answer differently. */
  public enum Kind {
    /** Nothing arrived within the read timeout. */
    TIMEOUT,
    /** Bytes arrived, but slower than the minimum rate or the answer's budget. */
    TOO_SLOW,
    /** A line longer than the limit: the conversation is out of step. */
    LINE_TOO_LONG,
    /** The TLS handshake failed or the certificate was refused. */
    TLS,
    /** The peer hung up where the protocol expected more. */
    CLOSED,
    /** Any other I/O failure: a reset, a broken pipe, a local error. */
    BROKEN
  }

  /**
   * Classifies {@code e}, which happened while the client was waiting for or sending {@code what}.
   *
   * @param lastWords the last line the peer sent, or null if none yet
   */
  static WireFailure of(
      String peer, String what, IOException e, Duration patience, String lastWords) {
    if (e instanceof PeerTooSlowException) {
      return new WireFailure(
          Kind.TOO_SLOW, peer + " is too slow (" + what + "): " + e.getMessage(), e);
    }
    if (e instanceof SocketTimeoutException) {
      return new WireFailure(
          Kind.TIMEOUT,
          peer + " sent nothing for " + patience.toSeconds() + "s (waiting for " + what + ")",
          e);
    }
    if (e instanceof LineTooLongException l) {
      return new WireFailure(
          Kind.LINE_TOO_LONG,
          peer + " sent a line longer than " + l.limit() + " octets (" + what + ")",
          e);
    }
    if (e instanceof TlsVerificationException) {
      return new WireFailure(Kind.TLS, e.getMessage(), e);
    }
    if (e instanceof EOFException) {
      String said =
          lastWords == null ? "" : "; the last it said was \"" + LogText.sanitize(lastWords) + "\"";
      return new WireFailure(
          Kind.CLOSED, peer + " closed the connection (" + what + "): " + e.getMessage() + said, e);
    }
    if (e instanceof SocketException) {
      return new WireFailure(
          Kind.BROKEN, "connection to " + peer + " failed (" + what + "): " + e.getMessage(), e);
    }
    return new WireFailure(
        Kind.BROKEN, "I/O error with " + peer + " (" + what + "): " + e.getMessage(), e);
  }
}
