package org.popfetch.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.popfetch.net.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code popfetch deliver-agent}: serves delivery sessions for the user it runs as, on a listening
 * socket systemd passes it ({@code popfetch-deliver@USER.socket}, Accept=no), or on one stream.
 * Sessions run side by side, at most {@link #MAX_SESSIONS} at once (more wait to be accepted); the
 * server returns once no session has run for the idle time, and systemd starts it again on the next
 * connection.
 */
public final class AgentServer {
  private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);

  /** Sessions at once: one per account polled at the same time is plenty. */
  static final int MAX_SESSIONS = 8;

  private final AgentSession.Opener opener;
  private final Duration idle;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong lastEnd = new AtomicLong(System.nanoTime());

  AgentServer(AgentSession.Opener opener, Duration idle) {
    this.opener = opener;
    this.idle = idle;
  }

  /**
   * An agent for the user it runs as, into Maildirs and mboxes.
   *
   * @param spoolDir a private directory for mbox batches
   * @param idle how long to wait for a connection before returning
   */
  public static AgentServer forMailboxes(Path spoolDir, String hostName, Duration idle) {
    return new AgentServer(new MailboxOpener(spoolDir, hostName), idle);
  }

  /**
   * Accepts and serves connections until none has come for the idle time, then closes {@code
   * listener} (its other end, systemd's, stays listening) and returns.
   *
   * @throws IOException if accepting fails for another reason
   */
  public void serve(ServerSocketChannel listener) throws IOException {
    Semaphore slots = new Semaphore(MAX_SESSIONS);
    ScheduledExecutorService idleCheck =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "agent-idle");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(100, Math.min(1000, idle.toMillis() / 4));
    idleCheck.scheduleWithFixedDelay(
        () -> {
          if (active.get() == 0 && System.nanoTime() - lastEnd.get() > idle.toNanos()) {
            try {
              listener.close();
            } catch (IOException ignored) {
              // closing is all that is wanted of it
            }
          }
        },
        period,
        period,
        TimeUnit.MILLISECONDS);
    try {
      while (true) {
        slots.acquireUninterruptibly();
        SocketChannel connection;
        try {
          connection = listener.accept();
        } catch (ClosedChannelException idleNow) {
          slots.release();
          LOG.debug("idle for {}; exiting", idle);
          return;
        }
        active.incrementAndGet();
        Thread t =
            new Thread(
                () -> {
                  try {
                    serveOne(connection);
                  } finally {
                    lastEnd.set(System.nanoTime());
                    active.decrementAndGet();
                    slots.release();
                  }
                },
                "agent-session");
        t.start();
      }
    } finally {
      idleCheck.shutdownNow();
    }
  }

  private void serveOne(SocketChannel connection) {
    try (connection) {
      serve(Channels.newInputStream(connection), Channels.newOutputStream(connection));
    } catch (IOException e) {
      LOG.debug("closing a connection: {}", e.toString());
    }
  }

  /**
   * Serves one session on a stream pair (an accepted connection, or standard input and output).
   *
   * @throws IOException if the stream fails or the client breaks the protocol
   */
  public void serve(InputStream in, OutputStream out) throws IOException {
    try {
      new AgentSession(
              new BufferedInputStream(in, 64 * 1024),
              new BufferedOutputStream(out, 16 * 1024),
              opener)
          .serve();
    } catch (AgentProtocol.AgentProtocolException e) {
      LOG.warn("a client broke the protocol: {}", LogText.sanitize(e.getMessage()));
      throw e;
    }
  }
}
