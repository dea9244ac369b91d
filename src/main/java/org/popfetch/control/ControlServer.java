package org.popfetch.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.popfetch.net.LogText;
import org.popfetch.net.WireInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's end of the control socket: a unix stream socket, mode 0660 (its owner and group:
 * root and the admins in the service's group), one request per connection, answered with a {@link
 * ControlReply}.
 *
 * <p>A peer is local but not trusted: its request line must arrive within {@link #REQUEST_TIMEOUT}
 * and be at most {@link ControlRequest#MAX_LINE} long; at most {@link #MAX_CLIENTS} are served at
 * once (the next is told the service is busy); a reply that the peer does not read within {@link
 * #WRITE_TIMEOUT} is dropped. Requests run on threads of their own, never on the scheduler's, so a
 * stuck client holds nothing that polls need.
 */
public final class ControlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

  static final int MAX_CLIENTS = 4;

  /** Exit statuses of the service's own refusals (as {@code popfetch} numbers them). */
  static final int STATUS_BAD_REQUEST = 5;

  static final int STATUS_BUSY = 9;
  static final int STATUS_INTERNAL = 23;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  /** How long a close waits for the commands in flight (a stopping poll ends within seconds). */
  static final Duration STOP_WAIT = Duration.ofSeconds(30);

  /** The longest path a unix socket can have (sun_path, less its NUL). */
  public static final int MAX_PATH_OCTETS = 107;

  /** Does what a request asks and says how it went. */
  @FunctionalInterface
  public interface Handler {
    /**
     * Runs {@code request}, writing what the client should print to {@code reply}.
     *
     * @return the client's exit status
     */
    int handle(ControlRequest request, ControlReply reply);
  }

  /** Another process answers on the socket: a second service with the same socket path. */
  public static final class InUseException extends IOException {
    public InUseException(Path socket) {
      super("another popfetch answers on " + socket);
    }
  }

  private final Path path;
  private final Object fileKey;
  private final ServerSocketChannel server;
  private final Handler handler;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService timer;
  private final Thread acceptor;
  private final AtomicInteger counter = new AtomicInteger();
  private final Duration requestTimeout;

  private ControlServer(
      Path path, ServerSocketChannel server, Handler handler, Duration requestTimeout)
      throws IOException {
    this.path = path;
    this.requestTimeout = requestTimeout;
    this.server = server;
    this.handler = handler;
    this.fileKey =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    this.workers =
        new ThreadPoolExecutor(
            0,
            MAX_CLIENTS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> daemon(r, "popfetch-control-" + counter.incrementAndGet()));
    this.timer =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "popfetch-control-timer"));
    this.acceptor = daemon(this::acceptLoop, "popfetch-control");
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Listens on {@code path}. A socket file left there by a service that died is replaced; one that
   * a live process answers on is not.
   *
   * @throws InUseException if a process answers on {@code path}
   * @throws IOException if {@code path} is something other than a socket, is too long for a unix
   *     socket, or cannot be bound (its directory missing or not writable)
   */
  public static ControlServer listen(Path path, Handler handler) throws IOException {
    return listen(path, handler, REQUEST_TIMEOUT);
  }

  /** As {@link #listen(Path, Handler)}, a request line awaited at most {@code requestTimeout}. */
  static ControlServer listen(Path path, Handler handler, Duration requestTimeout)
      throws IOException {
    if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_OCTETS) {
      throw new IOException(
          path + ": too long for a unix socket (at most " + MAX_PATH_OCTETS + " octets)");
    }
    removeStale(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(path), MAX_CLIENTS * 4);
      // Group too: the admins in the service's group may command it, nobody else.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
      ControlServer s = new ControlServer(path, server, handler, requestTimeout);
      s.acceptor.start();
      return s;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Removes a socket file nothing answers on; refuses to touch anything else. */
  private static void removeStale(Path path) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (!a.isOther()) {
      throw new IOException(path + ": exists and is not a socket; remove it or choose another");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      throw new InUseException(path);
    } catch (InUseException e) {
      throw e;
    } catch (IOException e) {
      LOG.info("control socket {} left by a service that is gone; replacing it", path);
      Files.deleteIfExists(path);
    }
  }

  /** Where it listens. */
  public Path path() {
    return path;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.warn("control socket: accept failed: {}", LogText.sanitize(e.getMessage()));
        continue;
      }
      try {
        workers.execute(() -> serve(client));
      } catch (RejectedExecutionException e) {
        busy(client);
      }
    }
  }

  /** Tells a client over the limit to come back later; a fresh socket's buffer takes the line. */
  private void busy(SocketChannel client) {
    try (client) {
      ControlReply r = new ControlReply();
      r.err("popfetch: the service is busy with " + MAX_CLIENTS + " other commands; try again");
      client.write(ByteBuffer.wrap(r.wire(STATUS_BUSY)));
    } catch (IOException ignored) {
      // it went away
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      ScheduledFuture<?> deadline = closeAfter(client, requestTimeout);
      String line;
      try {
        line = new WireInput(Channels.newInputStream(client)).readLine(ControlRequest.MAX_LINE);
      } catch (IOException e) {
        LOG.warn("control socket: no request read: {}", LogText.sanitize(e.getMessage()));
        return;
      } finally {
        deadline.cancel(false);
      }
      ControlReply reply = new ControlReply();
      int status;
      try {
        ControlRequest request = ControlRequest.parse(line);
        LOG.info("control: {} (from {})", request.verb(), peer(client));
        status = handler.handle(request, reply);
      } catch (IOException e) {
        reply.err("popfetch: not a request the service understands: " + e.getMessage());
        status = STATUS_BAD_REQUEST;
      } catch (RuntimeException e) {
        LOG.error("control: internal error: {}", LogText.sanitize(e.toString()));
        reply.err("popfetch: internal error in the service: " + e);
        status = STATUS_INTERNAL;
      }
      ScheduledFuture<?> writing = closeAfter(client, WRITE_TIMEOUT);
      try {
        ByteBuffer out = ByteBuffer.wrap(reply.wire(status));
        while (out.hasRemaining()) {
          client.write(out);
        }
      } catch (IOException e) {
        LOG.info("control: the client left before the answer: {}", e.getMessage());
      } finally {
        writing.cancel(false);
      }
    } catch (IOException e) {
      LOG.debug("control: closing a client: {}", e.getMessage());
    }
  }

  private ScheduledFuture<?> closeAfter(SocketChannel client, Duration after) {
    return timer.schedule(
        () -> {
          try {
            client.close();
          } catch (IOException ignored) {
            // closing is all that was wanted
          }
        },
        after.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Who sent a request, for the log: the peer's user name, as the kernel vouches for it. */
  private static String peer(SocketChannel client) {
    try {
      UnixDomainPrincipal p = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
      return p.user().getName();
    } catch (IOException | UnsupportedOperationException e) {
      return "an unknown user";
    }
  }

  /**
   * Stops listening, waits up to {@link #STOP_WAIT} for the commands in flight, and removes the
   * socket file if it is still the one bound here.
   */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("closing the control socket: {}", e.getMessage());
    }
    // A poll asked for goes on to its end (the service's stop flag ends it early), not
    // interrupted, and the caller closes the state only after it.
    workers.shutdown();
    try {
      if (!workers.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        LOG.warn(
            "control: commands still running after {} s; stopping anyway", STOP_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    try {
      BasicFileAttributes a =
          Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (fileKey != null && fileKey.equals(a.fileKey())) {
        Files.delete(path);
      }
    } catch (IOException e) {
      // gone already, or replaced by someone else's: leave it
    }
  }
}
