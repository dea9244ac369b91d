package org.popfetch.app;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An embedded POP3 server on a free loopback port, holding a handful of realistic sample messages,
 * so that a newcomer can watch popfetch work without owning an account.
 *
 * <p>It speaks just enough POP3 (RFC 1939 with CAPA, USER/PASS, SASL PLAIN, UIDL, TOP and
 * pipelining) for popfetch's own client, one connection at a time on one daemon thread.
 * Deliberately its own and small rather than a mail server library: the launcher's class-data
 * archive is trained by {@code popfetch demo}, and every class the training run loads (a library's
 * and the JDK classes it pulls in alike) becomes resident memory in every command that maps the
 * archive.
 *
 * <p>Mailboxes are per user; {@link #add} puts a message into one while the server runs, and DELE
 * takes effect at QUIT, as on a real server.
 */
final class DemoServer implements AutoCloseable {
  static final String USER = "alice";
  static final String PASSWORD = "demo-password";
  static final List<String> SAMPLES =
      List.of(
          "01-welcome.eml",
          "02-list-post.eml",
          "03-invoice.eml",
          "04-reply.eml",
          "05-newsletter.eml");

  private static final List<String> CAPABILITIES =
      List.of("USER", "SASL PLAIN", "UIDL", "TOP", "PIPELINING");

  /** A line longer than this ends the connection: no command needs more. */
  private static final int MAX_LINE = 512;

  private final ServerSocket socket;
  private final Map<String, Mailbox> mailboxes = new ConcurrentHashMap<>();
  private final Thread acceptor;

  private DemoServer(ServerSocket socket) {
    this.socket = socket;
    this.acceptor = new Thread(this::serve, "demo-pop3");
    acceptor.setDaemon(true);
  }

  /** Starts a server whose user {@link #USER} holds the {@link #SAMPLES}. */
  static DemoServer start() throws IOException {
    DemoServer server = new DemoServer(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()));
    for (String sample : SAMPLES) {
      try (InputStream in = DemoServer.class.getResourceAsStream("/demo/" + sample)) {
        if (in == null) {
          throw new IOException("sample message missing from the jar: " + sample);
        }
        server.add(USER, PASSWORD, in.readAllBytes());
      }
    }
    server.acceptor.start();
    return server;
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Puts {@code message} (any line ends) into {@code user}'s mailbox, made if new. */
  void add(String user, String password, byte[] message) {
    mailboxes.computeIfAbsent(user, u -> new Mailbox(password)).add(crlf(message));
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      acceptor.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        new Session(
                new BufferedInputStream(client.getInputStream()),
                new BufferedOutputStream(client.getOutputStream()))
            .run();
      } catch (IOException | RuntimeException e) {
        // A closed server socket ends the loop; a client that went away, or sent what this server
        // cannot take, ends its session only.
      }
    }
  }

  private static byte[] crlf(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (b == '\n' && (i == 0 || message[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(b);
    }
    if (message.length == 0 || message[message.length - 1] != '\n') {
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** A user's messages, in CRLF form, with their unique ids; guarded by its own lock. */
  private static final class Mailbox {
    private final String password;
    private final List<byte[]> messages = new ArrayList<>();
    private final List<String> uids = new ArrayList<>();
    private int nextUid = 1;

    Mailbox(String password) {
      this.password = password;
    }

    synchronized void add(byte[] message) {
      messages.add(message);
      uids.add("demo-" + nextUid++);
    }

    synchronized List<byte[]> messages() {
      return List.copyOf(messages);
    }

    synchronized List<String> uids() {
      return List.copyOf(uids);
    }

    /** Removes the messages at the set indexes of the snapshot {@code uids} (the session's). */
    synchronized void remove(List<String> sessionUids, BitSet deleted) {
      for (int i = deleted.nextSetBit(0); i >= 0; i = deleted.nextSetBit(i + 1)) {
        int at = uids.indexOf(sessionUids.get(i));
        if (at >= 0) {
          uids.remove(at);
          messages.remove(at);
        }
      }
    }
  }

  /** One POP3 conversation: AUTHORIZATION, then TRANSACTION on a snapshot, UPDATE at QUIT. */
  private final class Session {
    private final InputStream in;
    private final OutputStream out;
    private String user;
    private Mailbox mailbox;
    private List<byte[]> messages;
    private List<String> uids;
    private BitSet deleted;

    Session(InputStream in, OutputStream out) {
      this.in = in;
      this.out = out;
    }

    void run() throws IOException {
      reply("+OK popfetch demo POP3 server ready");
      for (String line = readLine(); line != null; line = readLine()) {
        String[] words = line.split(" ", 2);
        String verb = words[0].toUpperCase(Locale.ROOT);
        String arg = words.length > 1 ? words[1] : "";
        if (verb.equals("QUIT")) {
          if (mailbox != null) {
            mailbox.remove(uids, deleted);
          }
          reply("+OK bye");
          return;
        }
        if (mailbox == null) {
          authorization(verb, arg);
        } else {
          transaction(verb, arg);
        }
      }
    }

    private void authorization(String verb, String arg) throws IOException {
      switch (verb) {
        case "CAPA" -> multiline("+OK", CAPABILITIES);
        case "AUTH" -> {
          // SASL PLAIN (RFC 4616), as most servers offer it and popfetch prefers it.
          String[] words = arg.split(" ", 2);
          if (!words[0].equalsIgnoreCase("PLAIN")) {
            reply("-ERR only PLAIN");
            return;
          }
          String response = words.length > 1 ? words[1] : null;
          if (response == null) {
            reply("+ ");
            response = readLine();
          }
          String[] parts;
          try {
            parts =
                new String(
                        Base64.getDecoder().decode(String.valueOf(response)),
                        StandardCharsets.UTF_8)
                    .split("\0", -1);
          } catch (IllegalArgumentException e) {
            parts = new String[0];
          }
          if (parts.length == 3) {
            user = parts[1];
            login(parts[2]);
          } else {
            reply("-ERR malformed PLAIN response");
          }
        }
        case "USER" -> {
          user = arg;
          reply("+OK");
        }
        case "PASS" -> login(arg);
        default -> reply("-ERR not before login");
      }
    }

    private void login(String password) throws IOException {
      Mailbox box = user == null ? null : mailboxes.get(user);
      if (box == null || !box.password.equals(password)) {
        reply("-ERR [AUTH] wrong user or password");
        return;
      }
      mailbox = box;
      messages = box.messages();
      uids = box.uids();
      deleted = new BitSet();
      reply("+OK " + messages.size() + " messages");
    }

    private void transaction(String verb, String arg) throws IOException {
      switch (verb) {
        case "CAPA" -> multiline("+OK", CAPABILITIES);
        case "NOOP" -> reply("+OK");
        case "RSET" -> {
          deleted.clear();
          reply("+OK");
        }
        case "STAT" -> {
          long octets = 0;
          int count = 0;
          for (int i = 0; i < messages.size(); i++) {
            if (!deleted.get(i)) {
              count++;
              octets += messages.get(i).length;
            }
          }
          reply("+OK " + count + " " + octets);
        }
        case "LIST", "UIDL" -> {
          boolean list = verb.equals("LIST");
          if (!arg.isEmpty()) {
            int i = number(arg);
            if (i >= 0) {
              reply("+OK " + (i + 1) + " " + (list ? messages.get(i).length : uids.get(i)));
            }
            return;
          }
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < messages.size(); i++) {
            if (!deleted.get(i)) {
              lines.add((i + 1) + " " + (list ? messages.get(i).length : uids.get(i)));
            }
          }
          multiline("+OK", lines);
        }
        case "RETR" -> {
          int i = number(arg);
          if (i >= 0) {
            send(messages.get(i), Integer.MAX_VALUE);
          }
        }
        case "TOP" -> {
          String[] parts = arg.split(" ");
          if (parts.length != 2 || !parts[1].matches("[0-9]{1,9}")) {
            reply("-ERR TOP takes a message number and a line count");
            return;
          }
          int i = number(parts[0]);
          if (i >= 0) {
            send(messages.get(i), Integer.parseInt(parts[1]));
          }
        }
        case "DELE" -> {
          int i = number(arg);
          if (i >= 0) {
            deleted.set(i);
            reply("+OK deleted");
          }
        }
        default -> reply("-ERR unknown command");
      }
    }

    /** The index of message {@code arg}, or -1 after replying -ERR. */
    private int number(String arg) throws IOException {
      try {
        int n = Integer.parseInt(arg.strip());
        if (n >= 1 && n <= messages.size() && !deleted.get(n - 1)) {
          return n - 1;
        }
      } catch (NumberFormatException e) {
        // answered below
      }
      reply("-ERR no such message");
      return -1;
    }

    /** Sends a message, dot-stuffed, with its header and at most {@code bodyLines} body lines. */
    private void send(byte[] message, int bodyLines) throws IOException {
      out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
      boolean inBody = false;
      int bodyLinesSent = 0;
      int start = 0;
      while (start < message.length && (!inBody || bodyLinesSent < bodyLines)) {
        int end = start;
        while (message[end] != '\n') {
          end++;
        }
        if (message[start] == '.') {
          out.write('.');
        }
        out.write(message, start, end + 1 - start);
        if (inBody) {
          bodyLinesSent++;
        } else if (end - start == 1) {
          inBody = true;
        }
        start = end + 1;
      }
      out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    private void multiline(String first, List<String> lines) throws IOException {
      StringBuilder text = new StringBuilder(first).append("\r\n");
      for (String line : lines) {
        text.append(line).append("\r\n");
      }
      out.write(text.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    private void reply(String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** The next command line without its CRLF, or null at the end of the connection. */
    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int b = in.read(); b != -1; b = in.read()) {
        if (b == '\n') {
          int length = line.length();
          return length > 0 && line.charAt(length - 1) == '\r'
              ? line.substring(0, length - 1)
              : line.toString();
        }
        if (line.length() == MAX_LINE) {
          throw new IOException("command line too long");
        }
        line.append((char) b);
      }
      return null;
    }
  }
}
