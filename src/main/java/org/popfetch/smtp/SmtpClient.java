package org.popfetch.smtp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.TlsLayer;
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
 * <p>Errors: {@link SmtpReplyException} when the server answers 4yz or 5yz to a command other than
 * a recipient's (recipients get their replies in the {@link SmtpTransaction}); {@link
 * SmtpException} otherwise, whose {@link SmtpException#kind()} tells a cut connection from a
 * session that cannot be had as configured. A session belongs to one thread.
 */
public final class SmtpClient implements Closeable {
  private static final int MAX_SASL_ROUNDS = 10;

  private final SmtpSettings settings;
  private final ProtocolTrace trace;
  private final SmtpConnection connection;
  private Map<String, String> extensions = Map.of();

  private SmtpClient(SmtpSettings settings, ProtocolTrace trace, SmtpConnection connection) {
    this.settings = settings;
    this.trace = trace;
    this.connection = connection;
  }

  /**
   * Connects, reads the greeting, says EHLO (or LHLO), and puts TLS in place as configured: with
   * STARTTLS required, a server that does not offer it or refuses it ends the session before
   * anything else is sent.
   *
   * @throws SmtpException of kind CONNECTION if the server cannot be reached or breaks off, of kind
   *     SETUP if TLS cannot be had as configured; {@link SmtpReplyException} if the greeting or
   *     EHLO is refused
   */
  public static SmtpClient connect(SmtpSettings settings, ProtocolTrace trace)
      throws SmtpException {
    TlsLayer tls = null;
    if (settings.tls() != SmtpSettings.Tls.NONE) {
      try {
        tls = TlsLayer.forTrust(settings.trust());
      } catch (IOException e) {
        throw SmtpException.setup(e.getMessage(), e);
      }
    }
    TlsLayer implicit = settings.tls() == SmtpSettings.Tls.IMPLICIT ? tls : null;
    SmtpConnection connection = SmtpConnection.open(settings, trace, implicit);
    SmtpClient c = new SmtpClient(settings, trace, connection);
    try {
      SmtpReply greeting = connection.readReply("greeting");
      if (greeting.code() != 220) {
        throw new SmtpReplyException(settings.peer(), "the connection", greeting);
      }
      c.ehlo();
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
    return connection.isSecure();
  }

  /** EHLO keywords (upper case) and their parameters. */
  public Map<String, String> extensions() {
    return extensions;
  }

  // ---------------------------------------------------------------- session set-up

  /** EHLO (LHLO for LMTP), falling back to HELO for a server without ESMTP. */
  private void ehlo() throws SmtpException {
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
    helo();
  }

  /** HELO: an old server without ESMTP, and so without extensions. */
  private void helo() throws SmtpException {
    SmtpReply reply = command("HELO " + settings.helo());
    if (reply.code() != 250) {
      throw new SmtpReplyException(settings.peer(), "HELO", reply);
    }
    extensions = Map.of();
  }

  /** STARTTLS (RFC 3207): upgrade, or stop before anything else is sent. */
  private void starttls(TlsLayer tls) throws SmtpException {
    if (!extensions.containsKey("STARTTLS")) {
      throw SmtpException.setup(
          "TLS required but " + settings.peer() + " does not offer STARTTLS; nothing sent", null);
    }
    SmtpReply reply = command("STARTTLS");
    if (reply.code() != 220) {
      throw SmtpException.refused(
          settings.peer() + " refused STARTTLS: " + reply + "; nothing sent", reply);
    }
    if (connection.buffered() > 0) {
      // Bytes that came with the go-ahead were sent before TLS and could be an attacker's
      // (response injection): they must never be read as if they came through TLS.
      throw SmtpException.setup(
          settings.peer() + " sent data after the STARTTLS go-ahead; closing", null);
    }
    connection.startTls(tls);
    ehlo(); // RFC 3207 section 4.2: forget what was learnt before TLS
  }

  /**
   * AUTH (RFC 4954) with the strongest mechanism both sides offer; never without TLS unless
   * allowed. The credentials and every SASL payload are masked in the trace.
   *
   * @throws SmtpException of kind SETUP before anything is sent if no mechanism fits or TLS is
   *     missing; {@link SmtpReplyException} if the server refuses the credentials
   */
  public void login(Credentials credentials) throws SmtpException {
    if (!connection.isSecure() && !settings.allowPlaintextAuth()) {
      throw SmtpException.setup(
          "refusing to send credentials to " + settings.peer() + " without TLS", null);
    }
    Set<String> offered = new TreeSet<>();
    for (String m : extensions.getOrDefault("AUTH", "").split("\\s+")) {
      if (!m.isBlank()) {
        offered.add(m.toUpperCase(Locale.ROOT));
      }
    }
    String name =
        MechanismChoice.strongest(offered, credentials)
            .orElseThrow(
                () ->
                    SmtpException.setup(
                        settings.peer()
                            + " offers no usable AUTH mechanism (it offers: "
                            + offered
                            + ")",
                        null));
    SaslMechanism mech;
    try {
      mech = MechanismChoice.create(name, credentials);
    } catch (SaslException e) {
      throw SmtpException.setup(e.getMessage(), e);
    }
    SmtpReply reply = auth(name, mech);
    if (reply.code() != 235) {
      throw new SmtpReplyException(settings.peer(), "AUTH " + name, reply);
    }
  }

  /** AUTH and its challenge rounds; returns the server's last reply. */
  private SmtpReply auth(String name, SaslMechanism mech) throws SmtpException {
    Optional<byte[]> initial = mech.initialResponse();
    String first = "AUTH " + name + initial.map(b -> " " + base64(b)).orElse("");
    SmtpReply reply = command(first, "AUTH " + name + (initial.isPresent() ? " ****" : ""));
    for (int round = 0; reply.code() == 334 && round < MAX_SASL_ROUNDS; round++) {
      byte[] challenge;
      try {
        challenge = Base64.getDecoder().decode(reply.lines().get(0).strip());
      } catch (IllegalArgumentException e) {
        command("*", "*");
        throw SmtpException.setup(settings.peer() + " sent a malformed AUTH challenge", e);
      }
      byte[] response;
      try {
        response = mech.respond(challenge);
      } catch (SaslException e) {
        command("*", "*");
        throw SmtpException.setup(e.getMessage(), e);
      }
      reply = command(Base64.getEncoder().encodeToString(response), "****");
    }
    return reply;
  }

  private static String base64(byte[] b) {
    return b.length == 0 ? "=" : Base64.getEncoder().encodeToString(b);
  }

  // ---------------------------------------------------------------- one message

  /**
   * Sends one message: MAIL, RCPT for each recipient, DATA, the message, and the final "."
   * (pipelined when the server offers PIPELINING, and always for LMTP). The message may have any
   * line ends; it goes out with CRLF and dot-stuffed.
   *
   * @param sender the envelope sender, "" for the null sender
   * @param size the message's size, for SIZE; -1 if unknown
   * @return each recipient's outcome: its RCPT reply if refused there, else the reply after the
   *     data (LMTP: its own)
   * @throws SmtpReplyException if MAIL or DATA is refused (for every recipient alike), or the
   *     server closes with 421
   * @throws SmtpOutcomeUnknownException if the answer to the final "." never comes
   */
  public SmtpTransaction send(
      String sender, List<String> recipients, long size, InputStream message) throws SmtpException {
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("no recipients");
    }
    String mail = MailCommand.line(sender, recipients, size, extensions, settings.peer());
    SmtpExchange exchange =
        new SmtpExchange(connection, extensions.containsKey("PIPELINING") || settings.lmtp());
    Map<String, SmtpReply> replies = new LinkedHashMap<>();
    List<String> accepted = envelope(exchange, mail, recipients, replies);
    if (!accepted.isEmpty()) {
      data(message);
      endOfData(accepted, replies);
    }
    return new SmtpTransaction(replies);
  }

  /**
   * MAIL, the RCPTs and DATA, through {@code exchange}; fills in each recipient's reply. Returns
   * the recipients accepted, when the server is ready for the data; none, when no recipient was
   * accepted (and the transaction is over).
   */
  private List<String> envelope(
      SmtpExchange exchange, String mail, List<String> recipients, Map<String, SmtpReply> replies)
      throws SmtpException {
    SmtpExchange.Pending mailReply = mail(exchange, mail);
    List<SmtpExchange.Pending> rcptReplies = new ArrayList<>();
    for (String r : recipients) {
      rcptReplies.add(rcpt(exchange, r));
    }
    if (!exchange.ahead() && fill(recipients, rcptReplies, replies).isEmpty()) {
      command("RSET"); // nothing to send: end the transaction, whatever RSET's answer
      return List.of();
    }
    SmtpExchange.Pending data = exchange.send("DATA");
    SmtpReply mailed = mailReply.reply();
    List<String> accepted = fill(recipients, rcptReplies, replies);
    SmtpReply ready = data.reply();
    if (!mailed.isPositive()) {
      throw new SmtpReplyException(settings.peer(), mail, mailed);
    }
    if (accepted.isEmpty()) {
      if (ready.code() == 354) {
        // A server that wrongly invites data without recipients gets an empty message.
        command(".", ".");
      }
      return List.of(); // DATA was refused for want of recipients: nothing sent
    }
    if (ready.code() != 354) {
      throw new SmtpReplyException(settings.peer(), "DATA", ready);
    }
    return accepted;
  }

  /** Puts each RCPT reply in {@code replies}; returns the recipients accepted. */
  private static List<String> fill(
      List<String> recipients,
      List<SmtpExchange.Pending> rcptReplies,
      Map<String, SmtpReply> replies)
      throws SmtpException {
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply reply = rcptReplies.get(i).reply();
      replies.put(recipients.get(i), reply);
      if (reply.isPositive()) {
        accepted.add(recipients.get(i));
      }
    }
    return accepted;
  }

  /**
   * MAIL. Sent one at a time, a refusal ends the transaction here; sent ahead, it is read with the
   * replies to the commands after it.
   */
  private SmtpExchange.Pending mail(SmtpExchange exchange, String line) throws SmtpException {
    SmtpExchange.Pending reply = exchange.send(line);
    if (!exchange.ahead() && !reply.reply().isPositive()) {
      throw new SmtpReplyException(settings.peer(), line, reply.reply());
    }
    return reply;
  }

  /** RCPT for one recipient. */
  private SmtpExchange.Pending rcpt(SmtpExchange exchange, String recipient) throws SmtpException {
    return exchange.send("RCPT TO:<" + recipient + ">");
  }

  /** The message after DATA's 354: CRLF line ends, dot-stuffed, then the final ".". */
  private void data(InputStream message) throws SmtpException {
    long octets = connection.body(message);
    trace.note("message: " + octets + " octets");
  }

  /**
   * The answer to the final ".", within the data-done timeout: one for all recipients, or with LMTP
   * one per accepted recipient in RCPT order (RFC 2033 section 4.2).
   *
   * @throws SmtpOutcomeUnknownException if it never comes: the message may have arrived
   */
  private void endOfData(List<String> accepted, Map<String, SmtpReply> replies)
      throws SmtpException {
    Duration previous = connection.readTimeout(settings.dataDoneTimeout());
    try {
      SmtpReply done = null;
      for (String r : accepted) {
        if (done == null || settings.lmtp()) {
          done = connection.readReply("end of data");
        }
        replies.put(r, done);
      }
    } catch (SmtpException e) {
      throw new SmtpOutcomeUnknownException(
          e.getMessage() + "; the message may have been delivered", e);
    } finally {
      connection.readTimeout(previous);
    }
  }

  /** RSET: abandons the transaction in progress. */
  public void rset() throws SmtpException {
    SmtpReply r = command("RSET");
    if (!r.isPositive()) {
      throw new SmtpReplyException(settings.peer(), "RSET", r);
    }
  }

  /** QUIT, then close whatever the answer. Does nothing on a session already closed. */
  public void quit() {
    if (!connection.isOpen()) {
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
    connection.close();
  }

  private SmtpReply command(String line) throws SmtpException {
    return connection.command(line, line);
  }

  private SmtpReply command(String line, String traceForm) throws SmtpException {
    return connection.command(line, traceForm);
  }
}
