package org.popfetch.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.popfetch.net.DotStuffingOutputStream;
import org.popfetch.net.LineTooLongException;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.SocketConnector;
import org.popfetch.net.TlsLayer;
import org.popfetch.net.TlsVerificationException;
import org.popfetch.net.WireInput;
import org.popfetch.sasl.Credentials;
import org.popfetch.sasl.MechanismChoice;
import org.popfetch.sasl.SaslException;
import org.popfetch.sasl.SaslMechanism;

/**
 * One SMTP or LMTP session, one method per command.
 *
 * <p>Call order: {@link #connect} (greeting, EHLO/LHLO, STARTTLS as configured, EHLO again),
 * optionally {@link #login}, then {@link #send} for each message, then {@link #quit}.
 *
 * <p>Errors: {@link SmtpReplyException} when the server answers 4yz or 5yz to a command other
 * than a recipient's (recipients get their replies in the {@link Transaction}); {@link
 * SmtpException} otherwise, with {@link SmtpException#isTransient()} telling "later" from
 * "never". A session belongs to one thread.
 */
public final class SmtpClient implements Closeable {
  static final int MAX_LINE = 8192;
  static final int MAX_REPLY_LINES = 1000;

  private final SmtpSettings settings;
  private final ProtocolTrace trace;
  private Socket socket;
  /** For LMTP over a unix socket (a host that is a path): no TLS, no socket timeouts. */
  private java.nio.channels.SocketChannel unix;
  private WireInput in;
  private OutputStream out;
  private boolean secure;
  private Map<String, String> extensions = Map.of();
  private boolean open = true;

  private SmtpClient(SmtpSettings settings, ProtocolTrace trace) {
    this.settings = settings;
    this.trace = trace;
  }

  /** The outcome of one message, recipient by recipient. */
  public record Transaction(Map<String, SmtpReply> replies) {
    /** Recipients the server took responsibility for (2yz). */
    public List<String> delivered() {
      return replies.entrySet().stream().filter(e -> e.getValue().isPositive()).map(Map.Entry::getKey).toList();
    }

    /** Recipients to try again later (4yz). */
    public List<String> deferred() {
      return replies.entrySet().stream().filter(e -> e.getValue().isTransient()).map(Map.Entry::getKey).toList();
    }

    /** Recipients refused for good (5yz). */
    public List<String> refused() {
      return replies.entrySet().stream().filter(e -> e.getValue().isPermanent()).map(Map.Entry::getKey).toList();
    }
  }

  /**
   * Connects, reads the greeting, says EHLO (or LHLO), and puts TLS in place as configured: with
   * STARTTLS required, a server that does not offer it or refuses it ends the session before
   * anything else is sent.
   */
  public static SmtpClient connect(SmtpSettings settings, ProtocolTrace trace) throws SmtpException {
    TlsLayer tls = null;
    if (settings.tls() != SmtpSettings.Tls.NONE) {
      try {
        tls = TlsLayer.forTrust(settings.trust());
      } catch (IOException e) {
        throw new SmtpException(e.getMessage(), false, e);
      }
    }
    SmtpClient c = new SmtpClient(settings, trace);
    try {
      if (settings.host().startsWith("/")) {
        if (settings.tls() != SmtpSettings.Tls.NONE) {
          throw new SmtpException("no TLS over the unix socket " + settings.host() + "; set tls: none", false, null);
        }
        c.unix = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        c.unix.connect(java.net.UnixDomainSocketAddress.of(settings.host()));
      } else {
        c.socket =
            settings.address().isPresent()
                ? SocketConnector.connect(settings.address().get(), settings.host(), settings.port(), settings.timeouts())
                : SocketConnector.connect(settings.host(), settings.port(), settings.timeouts());
      }
    } catch (SmtpException e) {
      throw e;
    } catch (IOException e) {
      throw new SmtpException("cannot connect to " + settings.peer() + ": " + e.getMessage(), true, e);
    }
    try {
      if (settings.tls() == SmtpSettings.Tls.IMPLICIT) {
        c.startTls(tls);
      } else {
        c.attach();
      }
      SmtpReply greeting = c.readReply("greeting");
      if (greeting.code() != 220) {
        throw new SmtpReplyException(settings.peer(), "the connection", greeting);
      }
      c.hello();
      if (settings.tls() == SmtpSettings.Tls.STARTTLS) {
        c.starttls(tls);
      }
      return c;
    } catch (SmtpException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  public boolean isSecure() {
    return secure;
  }

  /** EHLO keywords (upper case) and their parameters. */
  public Map<String, String> extensions() {
    return extensions;
  }

  private void hello() throws SmtpException {
    String verb = settings.lmtp() ? "LHLO" : "EHLO";
    SmtpReply reply = command(verb + " " + settings.helo());
    if (reply.code() == 250) {
      Map<String, String> ext = new LinkedHashMap<>();
      for (String line : reply.lines().subList(1, reply.lines().size())) {
        String[] kv = line.strip().split("\\s+", 2);
        ext.put(kv[0].toUpperCase(Locale.ROOT), kv.length > 1 ? kv[1] : "");
      }
      extensions = ext;
      return;
    }
    if (settings.lmtp() || !reply.isPermanent()) {
      throw new SmtpReplyException(settings.peer(), verb, reply);
    }
    // An old server without ESMTP: HELO, and no extensions.
    SmtpReply helo = command("HELO " + settings.helo());
    if (helo.code() != 250) {
      throw new SmtpReplyException(settings.peer(), "HELO", helo);
    }
    extensions = Map.of();
  }

  private void starttls(TlsLayer tls) throws SmtpException {
    if (!extensions.containsKey("STARTTLS")) {
      throw new SmtpException(
          "TLS required but " + settings.peer() + " does not offer STARTTLS; nothing sent", false, null);
    }
    SmtpReply reply = command("STARTTLS");
    if (reply.code() != 220) {
      throw new SmtpException(settings.peer() + " refused STARTTLS: " + reply + "; nothing sent", reply.isTransient(), null);
    }
    if (in.buffered() > 0) {
      throw new SmtpException(settings.peer() + " sent data after the STARTTLS go-ahead; closing", false, null);
    }
    startTls(tls);
    hello(); // RFC 3207 section 4.2: forget what was learnt before TLS
  }

  private void startTls(TlsLayer tls) throws SmtpException {
    try {
      socket = tls.wrap(socket, settings.host(), settings.port());
      secure = true;
      trace.note("TLS established");
      attach();
    } catch (TlsVerificationException e) {
      throw new SmtpException(e.getMessage(), false, e);
    } catch (IOException e) {
      throw failure("TLS handshake", e);
    }
  }

  private void attach() throws SmtpException {
    try {
      if (unix != null) {
        in = new WireInput(java.nio.channels.Channels.newInputStream(unix));
        out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(unix), 64 * 1024);
        return;
      }
      in = new WireInput(SocketConnector.input(socket, settings.timeouts()));
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    } catch (IOException e) {
      throw failure("connect", e);
    }
  }

  /** AUTH with the strongest mechanism both sides offer (RFC 4954); never without TLS unless allowed. */
  public void login(Credentials credentials) throws SmtpException {
    if (!secure && !settings.allowPlaintextAuth()) {
      throw new SmtpException("refusing to send credentials to " + settings.peer() + " without TLS", false, null);
    }
    Set<String> offered = new TreeSet<>();
    for (String m : extensions.getOrDefault("AUTH", "").split("\\s+")) {
      if (!m.isBlank()) {
        offered.add(m.toUpperCase(Locale.ROOT));
      }
    }
    String name =
        MechanismChoice.strongest(offered, credentials)
            .orElseThrow(() -> new SmtpException(settings.peer() + " offers no usable AUTH mechanism (it offers: " + offered + ")", false, null));
    SaslMechanism mech;
    try {
      mech = MechanismChoice.create(name, credentials);
    } catch (SaslException e) {
      throw new SmtpException(e.getMessage(), false, e);
    }
    Optional<byte[]> initial = mech.initialResponse();
    String first = "AUTH " + name + initial.map(b -> " " + (b.length == 0 ? "=" : Base64.getEncoder().encodeToString(b))).orElse("");
    SmtpReply reply = command(first, "AUTH " + name + (initial.isPresent() ? " ****" : ""));
    for (int round = 0; reply.code() == 334 && round < 10; round++) {
      byte[] challenge;
      try {
        challenge = Base64.getDecoder().decode(reply.lines().get(0).strip());
      } catch (IllegalArgumentException e) {
        command("*", "*");
        throw new SmtpException(settings.peer() + " sent a malformed AUTH challenge", false, e);
      }
      byte[] response;
      try {
        response = mech.respond(challenge);
      } catch (SaslException e) {
        command("*", "*");
        throw new SmtpException(e.getMessage(), false, e);
      }
      reply = command(Base64.getEncoder().encodeToString(response), "****");
    }
    if (reply.code() != 235) {
      throw new SmtpReplyException(settings.peer(), "AUTH " + name, reply);
    }
  }

  /**
   * Sends one message: MAIL, RCPT for each recipient, DATA, the message, and the final "."
   * (pipelined when the server offers PIPELINING). The message may have any line ends; it goes
   * out with CRLF and dot-stuffed.
   *
   * @param sender the envelope sender, "" for the null sender
   * @param size the message's size, for SIZE; -1 if unknown
   * @return each recipient's outcome: its RCPT reply if refused there, else the reply after the
   *     data (LMTP: its own)
   * @throws SmtpReplyException if MAIL or DATA is refused (for every recipient alike)
   */
  public Transaction send(String sender, List<String> recipients, long size, InputStream message) throws SmtpException {
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("no recipients");
    }
    String mail = "MAIL FROM:<" + sender + ">";
    if (size >= 0 && extensions.containsKey("SIZE")) {
      long limit = sizeLimit();
      if (limit > 0 && size > limit) {
        // RFC 1870: no point sending what the server said it will not take.
        throw new SmtpReplyException(settings.peer(), mail,
            new SmtpReply(552, List.of("5.3.4 message of " + size + " octets is larger than the server's limit of " + limit)));
      }
      mail += " SIZE=" + size;
    }
    if (extensions.containsKey("8BITMIME")) {
      mail += " BODY=8BITMIME";
    }
    boolean international = !isAscii(sender) || recipients.stream().anyMatch(r -> !isAscii(r));
    if (international) {
      // RFC 6531: UTF-8 addresses need SMTPUTF8; without it the server cannot take them at all.
      if (!extensions.containsKey("SMTPUTF8")) {
        throw new SmtpReplyException(settings.peer(), "MAIL FROM:<" + sender + ">",
            new SmtpReply(553, List.of("5.6.7 non-ASCII address and the server offers no SMTPUTF8")));
      }
      mail += " SMTPUTF8";
    }
    boolean pipelining = extensions.containsKey("PIPELINING") || settings.lmtp();
    List<String> commands = new ArrayList<>();
    commands.add(mail);
    for (String r : recipients) {
      commands.add("RCPT TO:<" + r + ">");
    }
    Map<String, SmtpReply> replies = new LinkedHashMap<>();
    List<String> accepted = new ArrayList<>();
    SmtpReply mailReply;
    if (pipelining) {
      commands.add("DATA");
      for (String c : commands) {
        write(c, c);
      }
      flush("MAIL");
      mailReply = closing(mail, readReply("MAIL"));
      for (String r : recipients) {
        SmtpReply rr = closing("RCPT TO:<" + r + ">", readReply("RCPT"));
        replies.put(r, mailReply.isPositive() ? rr : mailReply);
        if (mailReply.isPositive() && rr.isPositive()) {
          accepted.add(r);
        }
      }
      SmtpReply data = closing("DATA", readReply("DATA"));
      if (!mailReply.isPositive()) {
        throw new SmtpReplyException(settings.peer(), mail, mailReply);
      }
      if (accepted.isEmpty()) {
        if (data.code() == 354) {
          // A server that wrongly invites data without recipients gets an empty message.
          command(".", ".");
        }
        return new Transaction(replies); // DATA was refused for want of recipients: nothing sent
      }
      if (data.code() != 354) {
        throw new SmtpReplyException(settings.peer(), "DATA", data);
      }
    } else {
      mailReply = command(mail);
      if (!mailReply.isPositive()) {
        throw new SmtpReplyException(settings.peer(), mail, mailReply);
      }
      for (String r : recipients) {
        SmtpReply rr = command("RCPT TO:<" + r + ">");
        replies.put(r, rr);
        if (rr.isPositive()) {
          accepted.add(r);
        }
      }
      if (accepted.isEmpty()) {
        command("RSET");
        return new Transaction(replies);
      }
      SmtpReply data = command("DATA");
      if (data.code() != 354) {
        throw new SmtpReplyException(settings.peer(), "DATA", data);
      }
    }
    long octets;
    try {
      DotStuffingOutputStream body = new DotStuffingOutputStream(out);
      message.transferTo(body);
      body.finish();
      octets = body.count();
    } catch (IOException e) {
      throw failure("DATA", e);
    }
    trace.note("message: " + octets + " octets");
    int previous = soTimeout();
    setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.dataDoneTimeout().toMillis()));
    try {
      if (settings.lmtp()) {
        // RFC 2033 section 4.2: one reply per accepted recipient, in RCPT order.
        for (String r : accepted) {
          replies.put(r, readReply("end of data"));
        }
      } else {
        SmtpReply done = readReply("end of data");
        for (String r : accepted) {
          replies.put(r, done);
        }
      }
    } catch (SmtpException e) {
      throw new SmtpOutcomeUnknownException(e.getMessage() + "; the message may have been delivered", e);
    } finally {
      setSoTimeout(previous);
    }
    return new Transaction(replies);
  }

  /** The SIZE limit the server announced, 0 if none. */
  private long sizeLimit() {
    try {
      String v = extensions.getOrDefault("SIZE", "").strip();
      return v.isEmpty() ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 0x80);
  }

  /**
   * 421 means the server is closing the connection (RFC 5321 section 3.8): the replies to the
   * rest of a pipelined group will never come.
   */
  private SmtpReply closing(String command, SmtpReply reply) throws SmtpReplyException {
    if (reply.code() == 421) {
      close();
      throw new SmtpReplyException(settings.peer(), command, reply);
    }
    return reply;
  }

  public void rset() throws SmtpException {
    SmtpReply r = command("RSET");
    if (!r.isPositive()) {
      throw new SmtpReplyException(settings.peer(), "RSET", r);
    }
  }

  /** QUIT, then close whatever the answer. Does nothing on a session already closed. */
  public void quit() {
    if (!open) {
      return;
    }
    try {
      command("QUIT");
    } catch (SmtpException ignored) {
      // the transactions are settled; a missing goodbye changes nothing
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    open = false;
    if (unix != null) {
      try {
        unix.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
  }

  // ---------------------------------------------------------------- wire

  private SmtpReply command(String line) throws SmtpException {
    return command(line, line);
  }

  private SmtpReply command(String line, String traceForm) throws SmtpException {
    write(line, traceForm);
    flush(traceForm);
    return readReply(traceForm);
  }

  private void write(String line, String traceForm) throws SmtpException {
    if (!open) {
      throw new IllegalStateException("the SMTP session with " + settings.peer() + " is closed");
    }
    try {
      out.write(line.getBytes(StandardCharsets.UTF_8));
      out.write('\r');
      out.write('\n');
    } catch (IOException e) {
      throw failure(traceForm, e);
    }
    trace.sent(traceForm);
  }

  private void flush(String what) throws SmtpException {
    try {
      out.flush();
    } catch (IOException e) {
      throw failure(what, e);
    }
  }

  private SmtpReply readReply(String what) throws SmtpException {
    List<String> lines = new ArrayList<>();
    int code = -1;
    while (true) {
      String line;
      try {
        line = in.readLine(MAX_LINE);
      } catch (IOException e) {
        throw failure(what, e);
      }
      trace.received(line);
      if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
          || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
        close();
        throw new SmtpException(settings.peer() + " answered " + what + " with something that is not an SMTP reply: " + LogText.sanitize(line), true, null);
      }
      int c = Integer.parseInt(line.substring(0, 3));
      if (code >= 0 && c != code) {
        close();
        throw new SmtpException(settings.peer() + " changed the reply code within one reply (" + what + ")", true, null);
      }
      code = c;
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (lines.size() > MAX_REPLY_LINES) {
        close();
        throw new SmtpException(settings.peer() + " sent more than " + MAX_REPLY_LINES + " reply lines", true, null);
      }
      if (line.length() == 3 || line.charAt(3) == ' ') {
        return new SmtpReply(code, lines);
      }
    }
  }

  private int soTimeout() {
    if (socket == null) {
      return 0;
    }
    try {
      return socket.getSoTimeout();
    } catch (IOException e) {
      return (int) settings.timeouts().read().toMillis();
    }
  }

  private void setSoTimeout(int millis) {
    if (socket == null) {
      return; // a unix socket to a local server has no read timeout
    }
    try {
      socket.setSoTimeout(millis);
    } catch (IOException ignored) {
      // the next read fails on its own if the socket is gone
    }
  }

  private SmtpException failure(String what, IOException e) {
    close();
    if (e instanceof SmtpException s) {
      return s;
    }
    if (e instanceof SocketTimeoutException) {
      return new SmtpException(settings.peer() + " sent nothing in time (waiting for " + what + ")", true, e);
    }
    if (e instanceof LineTooLongException l) {
      return new SmtpException(settings.peer() + " sent a line longer than " + l.limit() + " octets (" + what + ")", true, e);
    }
    if (e instanceof EOFException) {
      return new SmtpException(settings.peer() + " closed the connection (" + what + ")", true, e);
    }
    return new SmtpException("connection to " + settings.peer() + " failed (" + what + "): " + e.getMessage(), true, e);
  }
}
