package org.popfetch.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * The command-and-reply half of a line protocol, shared by the POP3 and SMTP clients: writes
 * command lines, flushes them, reads bounded reply lines, traces both directions, and turns every
 * I/O failure into the client's own exception.
 *
 * <p>The channel knows no protocol: the client parses replies (POP3 "+OK"/"-ERR", SMTP multi-line
 * codes), keeps its own state checks, and decides what each {@link WireFailure.Kind} means. On any
 * failure the channel first runs the client's abort (closing the connection without a goodbye, so a
 * POP3 server deletes nothing), then hands back the exception to throw.
 *
 * <p>Secrets: {@link #write(String, String)} takes the form the trace shows apart from the line
 * that is sent, so a password or SASL payload is masked before it reaches a trace or an error.
 *
 * <p>{@link #attach} is called again after TLS is put in place; bytes read before it are gone, so a
 * client checks {@link #buffered()} before the handshake (response injection).
 *
 * <p>Not thread-safe: a connection belongs to one thread.
 *
 * @param <E> the client's exception type
 */
public final class CommandChannel<E extends IOException> {
  private final String peer;
  private final ProtocolTrace trace;
  private final Class<E> type;
  private final Function<WireFailure, E> translation;
  private final Runnable abort;
  private WireInput in;
  private OutputStream out;
  private Duration patience;
  private String lastWords;

  /**
   * @param peer the peer's name for messages ("host:port")
   * @param patience the read timeout, named when it runs out
   * @param type the client's exception type: one raised below the channel (by a stream the client
   *     wrapped) passes through unchanged
   * @param translation makes the client's exception from a wire failure
   * @param abort closes the connection; run before any exception leaves the channel
   */
  public CommandChannel(
      String peer,
      Duration patience,
      ProtocolTrace trace,
      Class<E> type,
      Function<WireFailure, E> translation,
      Runnable abort) {
    this.peer = peer;
    this.patience = patience;
    this.trace = trace;
    this.type = type;
    this.translation = translation;
    this.abort = abort;
  }

  /**
   * Reads from {@code in} and writes to {@code out} from now on (the streams of a new TLS layer
   * replace the plain ones).
   *
   * @param out buffered by the caller: nothing leaves before {@link #flush}
   */
  public void attach(InputStream in, OutputStream out) {
    this.in = new WireInput(in);
    this.out = out;
  }

  /** The read timeout in force from now on (set on the socket by the caller), for messages. */
  public void patience(Duration patience) {
    this.patience = patience;
  }

  /** Writes one command line (CRLF added, UTF-8) and traces it as it is. Nothing is flushed. */
  public void write(String line) throws E {
    write(line, line);
  }

  /**
   * Writes one command line and traces {@code traceForm} instead (a secret masked). Nothing is
   * flushed.
   *
   * @throws E the client's exception if the connection fails; it is then closed
   */
  public void write(String line, String traceForm) throws E {
    try {
      out.write(line.getBytes(StandardCharsets.UTF_8));
      out.write('\r');
      out.write('\n');
    } catch (IOException e) {
      throw failure(traceForm, e);
    }
    trace.sent(traceForm);
  }

  /** Sends what was written. {@code what} names it in an error. */
  public void flush(String what) throws E {
    try {
      out.flush();
    } catch (IOException e) {
      throw failure(what, e);
    }
  }

  /**
   * Reads one reply line of at most {@code maxLength} octets, without its line end, and traces it.
   *
   * @param what what the client is waiting for, named in an error
   * @throws E on timeout, a peer too slow, a line too long, a closed or broken connection; the
   *     connection is then closed
   */
  public String readLine(String what, int maxLength) throws E {
    String line = readUntraced(what, maxLength);
    trace.received(line);
    return line;
  }

  /** As {@link #readLine}, but the caller traces (a listing shows only its first lines). */
  public String readUntraced(String what, int maxLength) throws E {
    try {
      String line = in.readLine(maxLength);
      lastWords = line;
      return line;
    } catch (IOException e) {
      throw failure(what, e);
    }
  }

  /** Octets the peer sent that no read has taken yet. */
  public int buffered() {
    return in.buffered();
  }

  /** The input, for a message body read in place ({@link DotTerminatedInputStream}). */
  public WireInput input() {
    return in;
  }

  /**
   * Closes the connection and returns the client's exception for {@code e}, which happened while
   * doing {@code what}: {@code e} itself if it already is one.
   */
  public E failure(String what, IOException e) {
    abort.run();
    if (type.isInstance(e)) {
      return type.cast(e);
    }
    return translation.apply(WireFailure.of(peer, what, e, patience, lastWords));
  }
}
