package org.popfetch.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A TCP proxy on loopback in front of a real POP3 server that adds a one-way latency in each
 * direction, as a distant server has, and records every POP3 session: who logged in, when, which
 * RETR and DELE it sent, whether it ended with QUIT, and above all whether two sessions of one user
 * were open at once.
 *
 * <p>It reads the client's commands in clear, so the client must use {@code tls: none}, and knows
 * the user from USER or from AUTH PLAIN's initial response. A session counts as open from its login
 * command to the close of its connection.
 *
 * <p>{@link #openSessionsOf(long)} tells which open sessions belong to a given process (by the
 * client socket's inode in /proc), so a test can stop or kill a node while it is inside a session.
 */
public final class RecordingPop3Proxy implements AutoCloseable {
  /** A command the client sent, as the proxy saw it pass. */
  public record Command(String user, String verb, Instant at) {}

  /** Two sessions of one user open at the same moment. */
  public record Overlap(String user, int firstSession, int secondSession, Instant at) {}

  /**
   * One session, as it stands.
   *
   * @param closed when its connection ended; null while it is open
   * @param quit whether the client sent QUIT (a session cut short ends without it)
   */
  public record Session(
      int id, String user, Instant connected, Instant login, Instant closed, boolean quit) {}

  private final ServerSocket listener;
  private final int targetPort;
  private final Duration latency;
  private final List<Live> sessions = new ArrayList<>();
  private final List<Command> commands = new ArrayList<>();
  private final List<Overlap> overlaps = new ArrayList<>();

  /**
   * Starts listening on a free loopback port.
   *
   * @param targetPort the POP3 server on loopback
   * @param latency added to each direction; zero for none
   */
  public RecordingPop3Proxy(int targetPort, Duration latency) throws IOException {
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.latency = latency;
    Thread acceptor = new Thread(this::accept, "pop3-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Every session so far, oldest first. */
  public synchronized List<Session> sessions() {
    return sessions.stream().map(Live::snapshot).toList();
  }

  /** The sessions of one user, oldest first. */
  public List<Session> sessions(String user) {
    return sessions().stream().filter(s -> user.equals(s.user())).toList();
  }

  /** Every moment a user had two sessions open at once; empty when none did. */
  public synchronized List<Overlap> overlaps() {
    return List.copyOf(overlaps);
  }

  /** The commands with this verb (USER, RETR, DELE, QUIT...) sent in {@code [from, to)}. */
  public synchronized List<Command> commands(String verb, Instant from, Instant to) {
    return commands.stream()
        .filter(c -> c.verb().equals(verb) && !c.at().isBefore(from) && c.at().isBefore(to))
        .toList();
  }

  /** Logins (USER or AUTH) in {@code [from, to)}. */
  public synchronized List<Command> logins(Instant from, Instant to) {
    return commands.stream()
        .filter(
            c ->
                (c.verb().equals("USER") || c.verb().equals("AUTH"))
                    && !c.at().isBefore(from)
                    && c.at().isBefore(to))
        .toList();
  }

  /** The users whose sessions are open now. */
  public synchronized Set<String> openUsers() {
    Set<String> users = new HashSet<>();
    for (Live s : sessions) {
      if (s.closed == null && s.user != null) {
        users.add(s.user);
      }
    }
    return users;
  }

  /**
   * The open, logged-in sessions whose client socket is held by process {@code pid}.
   *
   * @throws IOException if /proc cannot be read
   */
  public List<Session> openSessionsOf(long pid) throws IOException {
    List<Live> open;
    synchronized (this) {
      open = sessions.stream().filter(s -> s.closed == null && s.user != null).toList();
    }
    if (open.isEmpty()) {
      return List.of();
    }
    Set<String> sockets = socketsOf(pid);
    List<Session> mine = new ArrayList<>();
    for (Live s : open) {
      String inode = inodeOfClientPort(s.clientPort);
      if (inode != null && sockets.contains("socket:[" + inode + "]")) {
        mine.add(s.snapshot());
      }
    }
    return mine;
  }

  private static Set<String> socketsOf(long pid) throws IOException {
    Set<String> links = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          links.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException closedMeanwhile) {
          // the descriptor was closed between the listing and the read
        }
      }
    }
    return links;
  }

  /** The inode of the socket whose local port is {@code port}, from /proc/net/tcp and tcp6. */
  private static String inodeOfClientPort(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table), ISO_8859_1);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length > 9 && f[1].endsWith(":" + hexPort)) {
          return f[9];
        }
      }
    }
    return null;
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Live session;
      synchronized (this) {
        session = new Live(sessions.size() + 1, client.getPort(), Instant.now());
        sessions.add(session);
      }
      Thread t = new Thread(() -> serve(client, session), "pop3-proxy-" + session.id);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket client, Live session) {
    try (client;
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
      server.setTcpNoDelay(true);
      client.setTcpNoDelay(true);
      Thread up =
          pipe(client.getInputStream(), server.getOutputStream(), session, "up", client, server);
      Thread down =
          pipe(server.getInputStream(), client.getOutputStream(), null, "down", client, server);
      // Each writer ends after its reader did and what was read has gone out.
      up.join();
      down.join();
    } catch (IOException | InterruptedException e) {
      // the server refused or went away; the client sees its connection end
    } finally {
      synchronized (this) {
        session.closed = Instant.now();
      }
    }
  }

  /**
   * Copies one direction through a delay line: a reader stamps each chunk with the moment it may
   * go, a writer sends it then. With {@code session}, the chunks are the client's commands and are
   * recorded as they arrive. Returns the writer, which ends last.
   */
  private Thread pipe(
      InputStream in, OutputStream out, Live session, String name, Socket a, Socket b) {
    record Chunk(long due, byte[] bytes) {}
    BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
    Chunk end = new Chunk(0, null);
    Thread writer =
        new Thread(
            () -> {
              try {
                while (true) {
                  Chunk c = line.take();
                  if (c.bytes() == null) {
                    break;
                  }
                  long wait = c.due() - System.nanoTime();
                  if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the simulated network, not a test wait
                  }
                  out.write(c.bytes());
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // the other side is gone
              } finally {
                closeQuietly(a);
                closeQuietly(b);
              }
            },
            "pop3-proxy-" + name + "-write");
    writer.setDaemon(true);
    writer.start();
    Thread reader =
        new Thread(
            () -> {
              StringBuilder pending = new StringBuilder();
              byte[] buf = new byte[16384];
              try {
                int n;
                while ((n = in.read(buf)) > 0) {
                  if (session != null) {
                    record(session, pending, new String(buf, 0, n, ISO_8859_1));
                  }
                  line.add(new Chunk(System.nanoTime() + latency.toNanos(), Arrays.copyOf(buf, n)));
                }
              } catch (IOException e) {
                // the connection ended
              } finally {
                line.add(end); // the writer sends what is in the line, then closes both sides
              }
            },
            "pop3-proxy-" + name + "-read");
    reader.setDaemon(true);
    reader.start();
    return writer;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private void record(Live session, StringBuilder pending, String text) {
    pending.append(text);
    int eol;
    while ((eol = pending.indexOf("\n")) >= 0) {
      String commandLine = pending.substring(0, eol).strip();
      pending.delete(0, eol + 1);
      String[] words = commandLine.split(" ", 3);
      String verb = words[0].toUpperCase(Locale.ROOT);
      Instant now = Instant.now();
      synchronized (this) {
        String user = session.user;
        if (user == null && verb.equals("USER") && words.length > 1) {
          user = words[1].toLowerCase(Locale.ROOT);
        } else if (user == null
            && verb.equals("AUTH")
            && words.length > 2
            && words[1].equalsIgnoreCase("PLAIN")) {
          user = plainUser(words[2]);
        }
        if (user != null && session.user == null) {
          session.user = user;
          session.login = now;
          for (Live other : sessions) {
            if (other != session && user.equals(other.user) && other.closed == null) {
              overlaps.add(new Overlap(user, other.id, session.id, now));
            }
          }
        }
        if (verb.equals("QUIT")) {
          session.quit = true;
        }
        commands.add(new Command(session.user, verb, now));
      }
    }
  }

  private static String plainUser(String initialResponse) {
    try {
      String[] parts =
          new String(Base64.getDecoder().decode(initialResponse), ISO_8859_1).split("\0");
      return parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  /** A session as it goes; guarded by the proxy's lock. */
  private static final class Live {
    final int id;
    final int clientPort;
    final Instant connected;
    String user;
    Instant login;
    Instant closed;
    boolean quit;

    Live(int id, int clientPort, Instant connected) {
      this.id = id;
      this.clientPort = clientPort;
      this.connected = connected;
    }

    Session snapshot() {
      return new Session(id, user, connected, login, closed, quit);
    }
  }
}
