package org.popfetch.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.popfetch.net.CommandChannel;
import org.popfetch.net.DotStuffingOutputStream;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.SocketConnector;
import org.popfetch.net.TlsLayer;
import org.popfetch.net.TlsVerificationException;
import org.popfetch.net.WireFailure;

/**
 * The transport under one SMTP or LMTP session: a TCP connection (TLS from the start or after
 * STARTTLS) or a unix socket, commands written and multi-line replies read through a {@link
 * CommandChannel}, and the message body dot-stuffed onto the wire. Knows no command but the shape
 * of a reply; any failure closes it.
 */
final class SmtpConnection implements Closeable {
  static final int MAX_LINE = 8192;
  static final int MAX_REPLY_LINES = 1000;
  private static final int OUTPUT_BUFFER = 64 * 1024;

  private final SmtpSettings settings;
  private final ProtocolTrace trace;
  private final CommandChannel<SmtpException> channel;
  private Socket socket;

  /** For LMTP over a unix socket (a host that is a path): no TLS, no socket timeouts. */
  private SocketChannel unix;

  private OutputStream out;
  private boolean secure;
  private boolean open = true;

  private SmtpConnection(SmtpSettings settings, ProtocolTrace trace) {
    this.settings = settings;
    this.trace = trace;
    this.channel =
        new CommandChannel<>(
            settings.peer(),
            settings.timeouts().read(),
            trace,
            SmtpException.class,
            SmtpConnection::fromWire,
            this::close);
  }

  /**
   * Connects, with TLS from the first byte when {@code implicitTls} is given.
   *
   * @throws SmtpException of kind CONNECTION if the server cannot be reached, of kind SETUP if TLS
   *     is asked for over a unix socket or the certificate is refused
   */
  static SmtpConnection open(SmtpSettings settings, ProtocolTrace trace, TlsLayer implicitTls)
      throws SmtpException {
    SmtpConnection c = new SmtpConnection(settings, trace);
    try {
      c.connect();
      if (implicitTls != null) {
        c.startTls(implicitTls);
      } else {
        c.attach();
      }
      return c;
    } catch (SmtpException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void connect() throws SmtpException {
    try {
      if (settings.host().startsWith("/")) {
        if (settings.tls() != SmtpSettings.Tls.NONE) {
          throw SmtpException.setup(
              "no TLS over the unix socket " + settings.host() + "; set tls: none", null);
        }
        unix = SocketChannel.open(StandardProtocolFamily.UNIX);
        unix.connect(UnixDomainSocketAddress.of(settings.host()));
      } else if (settings.address().isPresent()) {
        socket =
            SocketConnector.connect(
                settings.address().get(), settings.host(), settings.port(), settings.timeouts());
      } else {
        socket = SocketConnector.connect(settings.host(), settings.port(), settings.timeouts());
      }
    } catch (SmtpException e) {
      throw e;
    } catch (IOException e) {
      throw SmtpException.connection(
          "cannot connect to " + settings.peer() + ": " + e.getMessage(), e);
    }
  }

  /** Puts TLS over the connection and reads and writes through it from now on. */
  void startTls(TlsLayer tls) throws SmtpException {
    try {
      socket = tls.wrap(socket, settings.host(), settings.port());
      secure = true;
      trace.note("TLS established");
      attach();
    } catch (TlsVerificationException e) {
      throw SmtpException.setup(e.getMessage(), e);
    } catch (IOException e) {
      throw channel.failure("TLS handshake", e);
    }
  }

  private void attach() throws SmtpException {
    try {
      if (unix != null) {
        out = new BufferedOutputStream(Channels.newOutputStream(unix), OUTPUT_BUFFER);
        channel.attach(Channels.newInputStream(unix), out);
      } else {
        out = new BufferedOutputStream(socket.getOutputStream(), OUTPUT_BUFFER);
        channel.attach(SocketConnector.input(socket, settings.timeouts()), out);
      }
    } catch (IOException e) {
      throw channel.failure("connect", e);
    }
  }

  boolean isSecure() {
    return secure;
  }

  boolean isOpen() {
    return open;
  }

  String peer() {
    return settings.peer();
  }

  /** Octets the server sent that no read has taken yet. */
  int buffered() {
    return channel.buffered();
  }

  /** Writes one command, flushes it and reads its reply; traces {@code traceForm}. */
  SmtpReply command(String line, String traceForm) throws SmtpException {
    write(line, traceForm);
    channel.flush(traceForm);
    return readReply(traceForm);
  }

  /** Writes one command without flushing it. */
  void write(String line, String traceForm) throws SmtpException {
    if (!open) {
      throw new IllegalStateException("the SMTP session with " + settings.peer() + " is closed");
    }
    channel.write(line, traceForm);
  }

  void flush(String what) throws SmtpException {
    channel.flush(what);
  }

  /**
   * Reads one reply, possibly of several lines, all with the same code.
   *
   * @throws SmtpException of kind CONNECTION if it is not an SMTP reply, changes its code, has more
   *     than {@link #MAX_REPLY_LINES} lines, or does not come; the connection is closed
   */
  SmtpReply readReply(String what) throws SmtpException {
    List<String> lines = new ArrayList<>();
    int code = -1;
    while (true) {
      String line = channel.readLine(what, MAX_LINE);
      if (line.length() < 3
          || !line.substring(0, 3).chars().allMatch(Character::isDigit)
          || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
        throw broken(
            " answered "
                + what
                + " with something that is not an SMTP reply: "
                + LogText.sanitize(line));
      }
      int c = Integer.parseInt(line.substring(0, 3));
      if (code >= 0 && c != code) {
        throw broken(" changed the reply code within one reply (" + what + ")");
      }
      code = c;
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (lines.size() > MAX_REPLY_LINES) {
        throw broken(" sent more than " + MAX_REPLY_LINES + " reply lines");
      }
      if (line.length() == 3 || line.charAt(3) == ' ') {
        return new SmtpReply(code, lines);
      }
    }
  }

  /** The peer broke the protocol: the session is closed, a later one may fare better. */
  private SmtpException broken(String what) {
    close();
    return SmtpException.connection(settings.peer() + what, null);
  }

  /**
   * Writes the message with CRLF line ends, dot-stuffed, and the final "."; flushes.
   *
   * @return the octets written
   */
  long body(InputStream message) throws SmtpException {
    try {
      DotStuffingOutputStream body = new DotStuffingOutputStream(out);
      message.transferTo(body);
      body.finish();
      return body.count();
    } catch (IOException e) {
      throw channel.failure("DATA", e);
    }
  }

  /** Sets the read timeout (none over a unix socket) and returns the one it replaces. */
  Duration readTimeout(Duration timeout) {
    channel.patience(timeout);
    if (socket == null) {
      return settings.timeouts().read(); // a unix socket to a local server has no timeout
    }
    try {
      Duration previous = Duration.ofMillis(socket.getSoTimeout());
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      return previous;
    } catch (IOException ignored) {
      return settings.timeouts().read(); // the next read fails on its own if the socket is gone
    }
  }

  @Override
  public void close() {
    open = false;
    closeQuietly(unix);
    closeQuietly(socket);
  }

  private static void closeQuietly(Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
  }

  /** The exception for a failure on the wire; the channel has closed the connection. */
  private static SmtpException fromWire(WireFailure failure) {
    return failure.kind() == WireFailure.Kind.TLS
        ? SmtpException.setup(failure.message(), failure.cause())
        : SmtpException.connection(failure.message(), failure.cause());
  }
}
