package org.popfetch.pop3;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.popfetch.net.BodyTooLongException;
import org.popfetch.net.CommandChannel;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.LogText;
import org.popfetch.net.MinimumRateInputStream;
import org.popfetch.net.PeerTooSlowException;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.net.SocketConnector;
import org.popfetch.net.TlsLayer;
import org.popfetch.net.TlsVerificationException;
import org.popfetch.net.WireFailure;
import org.popfetch.sasl.Credentials;
import org.popfetch.sasl.MechanismChoice;
import org.popfetch.sasl.SaslException;
import org.popfetch.sasl.SaslMechanism;

/*
 * Longer than the house's 400 lines on purpose: this is one POP3 session, with one method per
 * RFC verb (CAPA, STLS, USER, PASS, APOP, AUTH, STAT, LIST, UIDL, TOP, RETR, DELE, RSET, NOOP,
 * QUIT) sharing the session's state (TLS, capabilities, RFC 1939 state, the open body). The
 * wire itself is net.CommandChannel's; the batched RETR with its desync checks is the largest
 * verb and is kept whole, as splitting it or the verbs across classes would only spread one
 * state machine over several files.
 */

/**
 * One POP3 session, one method per command of RFC 1939 and its extensions.
 *
 * <p>Call order: {@link #connect} (greeting, CAPA, STLS as configured, CAPA again), then {@link
 * #login} (or {@link #user}/{@link #pass}, {@link #apop}, {@link #auth}), then any of {@link
 * #stat}, {@link #list}, {@link #uidl}, {@link #top}, {@link #retr}, {@link #dele}, {@link #rset},
 * {@link #noop}, and finally {@link #quit} to commit deletions or {@link #close} to abort without
 * deleting anything. Calling a command in the wrong state throws {@link IllegalStateException}.
 *
 * <p>Errors: {@link Pop3ErrorException} when the server answers -ERR (the session goes on); {@link
 * Pop3ProtocolException} and its {@link Pop3TimeoutException} when the server breaks the protocol,
 * stalls or cuts the connection (the session is closed without QUIT, so RFC 1939 section 6
 * guarantees nothing is deleted); {@link Pop3SecurityException} when the connection does not meet
 * the configured security (raised before any credential is sent).
 *
 * <p>A session belongs to one thread; nothing here is synchronized.
 */
public final class Pop3Client implements Closeable {
  /** RFC 2449 allows 512 octets; real servers exceed it a little, an attacker by gigabytes. */
  static final int MAX_STATUS_LINE = 8192;

  /**
   * A line of a UIDL, LIST or CAPA listing. Larger than a status line so that an over-long
   * unique-id reaches the caller (who can handle that message without UID tracking) instead of
   * failing the whole listing.
   */
  static final int MAX_LISTING_LINE = 32 * 1024;

  /*
   * The listing caps are set by the heap the service ships with (-Xmx128m, SerialGC): a poll at
   * both caps holds the UIDL listing compactly (its ids' octets plus about 20 octets an entry,
   * see UidArena), the LIST listing (12 octets an entry) and the store's rows for the account
   * (about the same again), some 40 MB with ids of 40 octets, measured in a JVM of that size
   * with the daemon's other work beside it (DaemonHugeListingIT). A larger mailbox fails its
   * poll with one line naming the cap; nothing is fetched or deleted.
   */

  /** All lines of one listing together, so that long lines times many entries stay bounded. */
  public static final long MAX_LISTING_OCTETS = 16L * 1024 * 1024;

  /** Entries of one UIDL or LIST listing. */
  public static final int MAX_LISTING_ENTRIES = 250_000;

  static final int MAX_CAPA_LINES = 1000;

  /** RFC 2449 section 4: a command line is at most 255 octets. */
  static final int MAX_COMMAND_LENGTH = 255;

  private static final int MAX_SASL_ROUNDS = 10;

  private enum State {
    AUTHORIZATION,
    TRANSACTION,
    CLOSED
  }

  private final Pop3Settings settings;
  private final ProtocolTrace trace;
  private Socket socket;

  /** The TCP connection under any TLS: what {@link #interrupt()} closes from another thread. */
  private volatile Socket tcp;

  private MinimumRateInputStream rateGuard;
  private final CommandChannel<Pop3Exception> channel;
  private boolean secure;
  private Greeting greeting;
  private Capabilities capabilities = Capabilities.UNKNOWN;

  /**
   * The CAPA sent after login and not yet answered: it goes out with the session's next command and
   * its answer is read before that command's (see {@link #loggedIn}).
   */
  private boolean capaUnread;

  /** The capabilities the server gave in TRANSACTION state, once read in full. */
  private Optional<Capabilities> afterLogin = Optional.empty();

  private State state = State.AUTHORIZATION;
  private DotTerminatedInputStream openBody;

  private Pop3Client(Pop3Settings settings, ProtocolTrace trace) {
    this.settings = settings;
    this.trace = trace;
    this.channel =
        new CommandChannel<>(
            settings.peer(),
            settings.timeouts().read(),
            trace,
            Pop3Exception.class,
            Pop3Client::fromWire,
            this::close);
  }

  /**
   * Connects, reads the greeting and the capabilities, and puts TLS in place as configured. With
   * {@link TlsMode#STARTTLS} the session ends here, before any credential, if the server does not
   * offer STLS, refuses it, or sends anything after its go-ahead.
   *
   * @throws Pop3ErrorException if the greeting is -ERR (see its {@link ResponseCondition})
   * @throws Pop3SecurityException if TLS cannot be had as configured
   * @throws Pop3ProtocolException if the peer is not a POP3 server, stalls or hangs up
   * @throws Pop3Exception if the connection cannot be made at all
   */
  public static Pop3Client connect(Pop3Settings settings, ProtocolTrace trace)
      throws Pop3Exception {
    TlsLayer tlsLayer = null;
    if (settings.tls() != TlsMode.NONE) {
      try {
        tlsLayer = TlsLayer.forTrust(settings.trust());
      } catch (IOException e) {
        throw new Pop3SecurityException(e.getMessage(), e);
      }
    }
    Pop3Client client = new Pop3Client(settings, trace);
    try {
      client.socket =
          SocketConnector.connect(settings.host(), settings.port(), settings.timeouts());
      client.tcp = client.socket;
    } catch (IOException e) {
      throw new Pop3Exception("cannot connect to " + settings.peer() + ": " + e.getMessage(), e);
    }
    try {
      if (settings.tls() == TlsMode.IMPLICIT) {
        client.startTls(tlsLayer, "TLS handshake");
      } else {
        client.attachStreams();
      }
      client.readGreeting();
      client.capa();
      if (settings.tls() == TlsMode.STARTTLS) {
        client.stls(tlsLayer);
      }
      return client;
    } catch (Pop3Exception | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- session facts

  public Greeting greeting() {
    return greeting;
  }

  /**
   * The capabilities as last read: after TLS and after login the old list is discarded. Right after
   * a login whose CAPA went out with the next command, that CAPA is sent and answered now.
   */
  public Capabilities capabilities() throws Pop3Exception {
    if (capaUnread) {
      rateGuard.restart();
      flush("CAPA");
      readCapa();
    }
    return capabilities;
  }

  /**
   * The capabilities the server gave after login, once they are read: empty before login, and after
   * a login whose CAPA has not been answered yet (no command followed it, or the session ended
   * first). Asks the server nothing.
   */
  public Optional<Capabilities> capabilitiesAfterLogin() {
    return afterLogin;
  }

  /** True when the connection is protected by TLS. */
  public boolean isSecure() {
    return secure;
  }

  public boolean isOpen() {
    return state != State.CLOSED;
  }

  /** "host:port" of the server. */
  public String peer() {
    return settings.peer();
  }

  // ---------------------------------------------------------------- AUTHORIZATION state

  /**
   * CAPA (RFC 2449 section 5). A server that answers -ERR does not support it; then {@link
   * Capabilities#UNKNOWN} is kept and optional commands are simply tried.
   */
  public Capabilities capa() throws Pop3Exception {
    requireOpen();
    if (capaUnread) {
      return capabilities();
    }
    rateGuard.restart();
    send("CAPA", "CAPA");
    flush("CAPA");
    return readCapa();
  }

  /** The answer to a CAPA sent. */
  private Capabilities readCapa() throws Pop3Exception {
    capaUnread = false;
    Pop3Reply reply = parseReply("CAPA", readLine("CAPA"));
    if (!reply.ok()) {
      capabilities = Capabilities.UNKNOWN;
    } else {
      List<String> capa = new ArrayList<>();
      readListing("CAPA", MAX_CAPA_LINES, capa::add);
      capabilities = Capabilities.parse(capa);
    }
    if (state == State.TRANSACTION) {
      afterLogin = Optional.of(capabilities);
    }
    return capabilities;
  }

  /**
   * Logs in with the given method, or with the strongest both sides support when {@link
   * AuthMethod#AUTO}: CRAM-MD5, then PLAIN, then LOGIN, then USER/PASS for a password; OAUTHBEARER,
   * then XOAUTH2 for a token. APOP is used only when asked for, and only over TLS. A method the
   * server does not offer is never swapped for a weaker one.
   *
   * @throws Pop3SecurityException before sending anything if the connection has no TLS and
   *     plaintext login is not allowed, or the method is not available
   * @throws Pop3ErrorException if the server refuses the login; its {@link ResponseCondition} tells
   *     a bad password ([AUTH]) from a busy mailbox ([IN-USE], [LOGIN-DELAY], [SYS/TEMP])
   */
  public void login(Credentials credentials, AuthMethod method) throws Pop3Exception {
    requireState(State.AUTHORIZATION, "login");
    requireSafeForCredentials();
    AuthMethod chosen = method == AuthMethod.AUTO ? strongest(credentials) : method;
    switch (chosen) {
      case USER -> {
        if (!(credentials instanceof Credentials.Password p)) {
          throw new Pop3SecurityException("USER/PASS needs a password, not an OAuth token");
        }
        user(p.user());
        pass(p.password());
      }
      case APOP -> {
        if (!(credentials instanceof Credentials.Password p)) {
          throw new Pop3SecurityException("APOP needs a password, not an OAuth token");
        }
        apop(p.user(), p.password());
      }
      default -> {
        String name = chosen.saslName().orElseThrow();
        if (capabilities.advertised() && !capabilities.saslMechanisms().contains(name)) {
          throw new Pop3SecurityException(
              peer() + " does not offer AUTH " + name + " (it offers: " + offered() + ")");
        }
        try {
          auth(MechanismChoice.create(name, credentials));
        } catch (SaslException e) {
          throw new Pop3SecurityException(e.getMessage(), e);
        }
      }
    }
  }

  private AuthMethod strongest(Credentials credentials) throws Pop3SecurityException {
    Optional<String> sasl = MechanismChoice.strongest(capabilities.saslMechanisms(), credentials);
    if (sasl.isPresent()) {
      return AuthMethod.parse(sasl.get());
    }
    if (credentials instanceof Credentials.OAuthToken) {
      throw new Pop3SecurityException(
          peer() + " offers no OAuth mechanism (it offers: " + offered() + ")");
    }
    // USER/PASS is RFC 1939's baseline; servers that support it do not always say so.
    return AuthMethod.USER;
  }

  private String offered() {
    Set<String> mechanisms = capabilities.saslMechanisms();
    return (capabilities.has("USER") ? "USER " : "")
        + (mechanisms.isEmpty() ? "no SASL" : "SASL " + String.join(" ", mechanisms));
  }

  /** USER name. */
  public void user(String name) throws Pop3Exception {
    requireState(State.AUTHORIZATION, "USER");
    requireSafeForCredentials();
    checkArgument(name);
    commandOk("USER " + name, "USER " + name);
  }

  /** PASS secret; the trace shows "PASS ****". On +OK the session is in TRANSACTION state. */
  public void pass(String password) throws Pop3Exception {
    requireState(State.AUTHORIZATION, "PASS");
    requireSafeForCredentials();
    if (password.indexOf('\r') >= 0 || password.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("password contains a line break");
    }
    commandOk("PASS " + password, "PASS ****");
    loggedIn();
  }

  /**
   * APOP name digest (RFC 1939 section 7). Refused without TLS: APOP's MD5 challenge can be
   * attacked by a man in the middle (CVE-2007-1558).
   */
  public void apop(String name, String secret) throws Pop3Exception {
    requireState(State.AUTHORIZATION, "APOP");
    if (!secure) {
      throw new Pop3SecurityException("APOP is refused without TLS (CVE-2007-1558)");
    }
    String timestamp =
        greeting
            .apopTimestamp()
            .orElseThrow(
                () ->
                    new Pop3SecurityException(
                        peer() + " sent no valid APOP timestamp in its greeting"));
    checkArgument(name);
    String digest;
    try {
      digest =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("MD5")
                      .digest((timestamp + secret).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every Java runtime", e);
    }
    commandOk("APOP " + name + " " + digest, "APOP " + name + " ****");
    loggedIn();
  }

  /**
   * AUTH mechanism (RFC 5034). The initial response goes with the command unless that would pass
   * 255 octets (OAuth tokens do); then it waits for the server's empty challenge. Every client
   * response is masked in the trace. A malformed challenge cancels the exchange ("*").
   */
  public void auth(SaslMechanism mechanism) throws Pop3Exception {
    requireState(State.AUTHORIZATION, "AUTH");
    requireSafeForCredentials();
    String name = mechanism.name();
    String what = "AUTH " + name;
    Optional<byte[]> initial = mechanism.initialResponse();
    byte[] heldInitial = null;
    if (initial.isPresent()) {
      String encoded = initial.get().length == 0 ? "=" : base64(initial.get());
      String line = "AUTH " + name + " " + encoded;
      if (line.length() <= MAX_COMMAND_LENGTH) {
        send(line, "AUTH " + name + " ****");
      } else {
        heldInitial = initial.get();
        send("AUTH " + name, "AUTH " + name);
      }
    } else {
      send("AUTH " + name, "AUTH " + name);
    }
    flush(what);
    for (int round = 0; ; round++) {
      String line = readLine(what);
      if (line.equals("+") || line.startsWith("+ ")) {
        if (round >= MAX_SASL_ROUNDS) {
          cancelAuth(what);
          throw abort(new Pop3ProtocolException(peer() + " kept sending AUTH challenges"));
        }
        byte[] challenge;
        try {
          challenge =
              Base64.getDecoder().decode(line.length() > 2 ? line.substring(2).strip() : "");
        } catch (IllegalArgumentException e) {
          cancelAuth(what);
          throw new Pop3ProtocolException(
              peer() + " sent a malformed " + name + " challenge: " + LogText.sanitize(line));
        }
        byte[] response;
        if (heldInitial != null && challenge.length == 0) {
          response = heldInitial;
          heldInitial = null;
        } else {
          try {
            response = mechanism.respond(challenge);
          } catch (SaslException e) {
            cancelAuth(what);
            throw new Pop3SecurityException(peer() + ": " + e.getMessage(), e);
          }
        }
        send(base64(response), "****");
        flush(what);
        continue;
      }
      Pop3Reply reply = parseReply(what, line);
      expectOk(what, reply);
      loggedIn();
      return;
    }
  }

  private void cancelAuth(String what) throws Pop3Exception {
    send("*", "*");
    flush(what);
    Pop3Reply reply = readReply(what + " cancel");
    if (reply.ok()) {
      throw abort(new Pop3ProtocolException(peer() + " accepted a cancelled " + what));
    }
  }

  /**
   * RFC 2449 section 5: capabilities may change after login (Dovecot, for one, adds some), so they
   * are asked for again. To a server that offered PIPELINING before login, the CAPA goes out with
   * the session's first command (STAT, or LIST and UIDL), one round trip for both; its answer is
   * read first (in {@link #readLine}). That write is pipelined on the list given before login,
   * which RFC 2449 lets us trust: capabilities available in the AUTHORIZATION state must be
   * announced in both states. Everything after it uses the list given after login.
   */
  private void loggedIn() throws Pop3Exception {
    state = State.TRANSACTION;
    if (capabilities.pipelining()) {
      send("CAPA", "CAPA");
      capaUnread = true;
    } else if (capabilities.advertised()) {
      capa();
    } else {
      afterLogin = Optional.of(capabilities); // no CAPA at all: nothing more to learn
    }
  }

  // ---------------------------------------------------------------- TRANSACTION state

  /** STAT: the number of messages and their total size. */
  public MailboxStatus stat() throws Pop3Exception {
    requireState(State.TRANSACTION, "STAT");
    Pop3Reply reply = commandOk("STAT", "STAT");
    String[] words = reply.text().split(" ");
    if (words.length < 2) {
      throw abort(protocolError("STAT", reply.line()));
    }
    return new MailboxStatus(parseCount("STAT", words[0]), parseCount("STAT", words[1]));
  }

  /**
   * LIST: number and size of every message, held compactly. Entries with a number out of range or
   * seen twice are dropped (a message number absent from the listing is never acted on).
   *
   * @throws Pop3ProtocolException if the listing is over {@link #MAX_LISTING_ENTRIES} entries or
   *     {@link #MAX_LISTING_OCTETS} octets (the session is closed, nothing is deleted)
   */
  public ScanTable list() throws Pop3Exception {
    requireState(State.TRANSACTION, "LIST");
    commandOk("LIST", "LIST");
    return readScanListing();
  }

  private ScanTable readScanListing() throws Pop3Exception {
    ScanTable.Builder out = new ScanTable.Builder();
    readListing(
        "LIST",
        MAX_LISTING_ENTRIES,
        line -> {
          ScanListing entry = parseScan("LIST", line);
          if (entry != null) {
            out.add(entry.number(), entry.size());
          }
        });
    return out.build();
  }

  /** LIST n. */
  public ScanListing list(int number) throws Pop3Exception {
    requireState(State.TRANSACTION, "LIST");
    checkNumber(number);
    Pop3Reply reply = commandOk("LIST " + number, "LIST " + number);
    ScanListing entry = parseScan("LIST " + number, reply.text());
    if (entry == null || entry.number() != number) {
      throw abort(protocolError("LIST " + number, reply.line()));
    }
    return entry;
  }

  /**
   * UIDL: number and unique-id of every message, held compactly. The unique-id is everything after
   * the first space, kept as sent even if it breaks RFC 1939 (see {@link UidListing#wellFormed()});
   * the first entry of a repeated number is kept.
   *
   * @throws Pop3ErrorException if the server does not support UIDL
   * @throws Pop3ProtocolException if the listing is over {@link #MAX_LISTING_ENTRIES} entries or
   *     {@link #MAX_LISTING_OCTETS} octets (the session is closed, nothing is deleted)
   */
  public UidTable uidl() throws Pop3Exception {
    requireState(State.TRANSACTION, "UIDL");
    commandOk("UIDL", "UIDL");
    return readUidListing();
  }

  private UidTable readUidListing() throws Pop3Exception {
    UidTable.Builder out = new UidTable.Builder();
    readListing(
        "UIDL",
        MAX_LISTING_ENTRIES,
        line -> {
          UidListing entry = parseUid("UIDL", line);
          if (entry != null) {
            out.add(entry.number(), entry.uid());
          }
        });
    return out.build();
  }

  /**
   * LIST and UIDL: the whole scan listing and every unique-id, or the server's refusal of UIDL.
   * Both go out in one write where the server offers PIPELINING, one round trip instead of two;
   * both answers are read before an error is thrown, so the session stays in step.
   *
   * @throws Pop3ErrorException if the server answers LIST with -ERR; the session goes on
   * @throws Pop3ProtocolException as {@link #list()} and {@link #uidl()}
   */
  public Listings listings() throws Pop3Exception {
    requireState(State.TRANSACTION, "LIST");
    if (!pipelining()) {
      ScanTable scan = list();
      try {
        return new Listings(scan, uidl(), Optional.empty());
      } catch (Pop3ErrorException e) {
        return new Listings(scan, UidTable.empty(), Optional.of(e.reply()));
      }
    }
    rateGuard.restart();
    send("LIST", "LIST");
    send("UIDL", "UIDL");
    flush("LIST");
    Pop3Reply listReply = readReply("LIST");
    ScanTable scan = listReply.ok() ? readScanListing() : null;
    Pop3Reply uidlReply = readReply("UIDL");
    UidTable uids = uidlReply.ok() ? readUidListing() : UidTable.empty();
    expectOk("LIST", listReply);
    return new Listings(scan, uids, uidlReply.ok() ? Optional.empty() : Optional.of(uidlReply));
  }

  /** UIDL n. */
  public UidListing uidl(int number) throws Pop3Exception {
    requireState(State.TRANSACTION, "UIDL");
    checkNumber(number);
    Pop3Reply reply = commandOk("UIDL " + number, "UIDL " + number);
    UidListing entry = parseUid("UIDL " + number, reply.text());
    if (entry == null || entry.number() != number) {
      throw abort(protocolError("UIDL " + number, reply.line()));
    }
    return entry;
  }

  /**
   * UIDL n for each message from {@code first} to {@code last} and LIST n for each from {@code
   * first + 1} to {@code last}: the unique-ids of those messages and the sizes of all but the
   * first, for a poll that knows the messages up to {@code first} and checks that one's unique-id.
   * All the commands are pipelined together where the server offers PIPELINING, at most the
   * pipeline window in flight (one at a time without it); every reply is read before an -ERR is
   * thrown, so the session stays in step.
   *
   * @return the sizes as {@link Listings#scan()} and the unique-ids as {@link Listings#uids()}, in
   *     order, one per message; both empty if {@code last < first}
   * @throws Pop3ErrorException for the first command the server answers -ERR (no such message, or
   *     no UIDL or LIST with an argument); the session goes on
   * @throws Pop3ProtocolException if a reply names another message or is not a UIDL or LIST line
   *     (the session is closed, nothing is deleted)
   * @throws IllegalArgumentException if {@code first < 1} or the range holds more than {@link
   *     #MAX_LISTING_ENTRIES} messages
   */
  public Listings uidlAndList(int first, int last) throws Pop3Exception {
    return rangeListings(first, first + 1, last);
  }

  /**
   * UIDL n and LIST n for each message from {@code first} to {@code last}, pipelined as {@link
   * #uidlAndList} pipelines them: for a poll that has checked the unique-id of the message before
   * {@code first} by itself, as it does where each command is a round trip.
   *
   * @return the sizes and unique-ids of those messages, in order; both empty if {@code last <
   *     first}
   * @throws Pop3ErrorException as {@link #uidlAndList}
   * @throws Pop3ProtocolException as {@link #uidlAndList}
   * @throws IllegalArgumentException as {@link #uidlAndList}
   */
  public Listings listingsOf(int first, int last) throws Pop3Exception {
    return rangeListings(first, first, last);
  }

  private Listings rangeListings(int uidFirst, int listFirst, int last) throws Pop3Exception {
    List<String> lines = new ArrayList<>();
    commands(lines, "UIDL", uidFirst, last);
    commands(lines, "LIST", listFirst, last);
    List<Pop3Reply> replies = pipelined("UIDL", lines);
    int uidls = Math.max(0, last - uidFirst + 1);
    UidTable uids = uidEntries(replies.subList(0, uidls), uidFirst);
    ScanTable scan = scanEntries(replies.subList(uidls, replies.size()), listFirst);
    return new Listings(scan, uids, Optional.empty());
  }

  private UidTable uidEntries(List<Pop3Reply> replies, int first) throws Pop3Exception {
    UidTable.Builder out = new UidTable.Builder();
    for (int i = 0; i < replies.size(); i++) {
      String what = "UIDL " + (first + i);
      UidListing entry = parseUid(what, replies.get(i).text());
      if (entry == null || entry.number() != first + i) {
        throw abort(protocolError(what, replies.get(i).line()));
      }
      out.add(entry.number(), entry.uid());
    }
    return out.build();
  }

  private ScanTable scanEntries(List<Pop3Reply> replies, int first) throws Pop3Exception {
    ScanTable.Builder out = new ScanTable.Builder();
    for (int i = 0; i < replies.size(); i++) {
      String what = "LIST " + (first + i);
      ScanListing entry = parseScan(what, replies.get(i).text());
      if (entry == null || entry.number() != first + i) {
        throw abort(protocolError(what, replies.get(i).line()));
      }
      out.add(entry.number(), entry.size());
    }
    return out.build();
  }

  /** Adds "{@code verb} n" for each n from {@code first} to {@code last} to {@code lines}. */
  private void commands(List<String> lines, String verb, int first, int last) {
    requireState(State.TRANSACTION, verb);
    checkNumber(first);
    if (last < first) {
      return;
    }
    if ((long) last - first >= MAX_LISTING_ENTRIES) {
      throw new IllegalArgumentException(
          verb + " " + first + " to " + last + " is more than a listing may hold");
    }
    for (int n = first; n <= last; n++) {
      lines.add(verb + " " + n);
    }
  }

  /**
   * Sends {@code lines}, at most the pipeline window in flight (one without PIPELINING), and reads
   * a reply to each; the replies in order, once all are read, or the first -ERR among them.
   */
  private List<Pop3Reply> pipelined(String verb, List<String> lines) throws Pop3Exception {
    int count = lines.size();
    int window = pipelining() ? settings.pipelineWindow() : 1;
    List<Pop3Reply> replies = new ArrayList<>(count);
    rateGuard.restart();
    int sent = 0;
    while (replies.size() < count) {
      while (sent < count && sent - replies.size() < window) {
        send(lines.get(sent), lines.get(sent));
        sent++;
      }
      flush(verb);
      replies.add(readReply(lines.get(replies.size())));
    }
    for (int i = 0; i < count; i++) {
      expectOk(lines.get(i), replies.get(i));
    }
    return replies;
  }

  /**
   * TOP n k: the header and the first k body lines, as a stream. Some servers send the whole
   * message or truncate it; use it to decide, never to deliver. Read or close the stream before the
   * next command.
   */
  public DotTerminatedInputStream top(int number, int lines) throws Pop3Exception {
    requireState(State.TRANSACTION, "TOP");
    checkNumber(number);
    if (lines < 0) {
      throw new IllegalArgumentException("negative line count");
    }
    String what = "TOP " + number + " " + lines;
    commandOk(what, what);
    openBody = new DotTerminatedInputStream(channel.input(), settings.framing());
    return openBody;
  }

  /**
   * RETR n: the message as a stream, dot-unstuffed, the terminating line consumed, CRLF line ends
   * as on the wire. Read it to its end or close it before the next command. A read that fails
   * (timeout, cut connection) leaves the session unusable: the next call closes it.
   */
  public DotTerminatedInputStream retr(int number) throws Pop3Exception {
    requireState(State.TRANSACTION, "RETR");
    checkNumber(number);
    commandOk("RETR " + number, "RETR " + number);
    openBody = new DotTerminatedInputStream(channel.input(), settings.framing());
    return openBody;
  }

  /**
   * RETR for a batch of messages, with nothing to check their bodies against: see {@link
   * #retr(List, long, MessageHandler)}.
   */
  public void retr(List<Integer> numbers, MessageHandler handler) throws IOException {
    retr(numbers.stream().map(n -> new ScanListing(n, -1)).toList(), Long.MAX_VALUE, handler);
  }

  /**
   * RETR for a batch of messages, each with its size from LIST (negative if not known). With
   * PIPELINING the commands go out ahead of the replies, at most {@link
   * Pop3Settings#pipelineWindow()} at a time (RFC 2449 section 6.6); without it, one at a time. The
   * handler sees the messages in the order given.
   *
   * <p>If the handler throws, no further RETR is sent; the replies already asked for are read and
   * discarded so the session stays usable (for DELE of what was delivered), and then the handler's
   * exception is rethrown.
   *
   * <p>Each body is held to what the server could have meant, and the session is dropped without
   * QUIT when it cannot be, because from then on the next "reply" may be text from inside a
   * message:
   *
   * <ul>
   *   <li>a body of more than {@code maxOctets}: {@link Pop3MessageTooLargeException};
   *   <li>a body whose size does not fit its LIST size or its "+OK n octets" (see {@link
   *       SizeCheck}), a "+OK n octets" that does not fit the LIST size, a reply that is not a
   *       status line, or bytes after the last reply of the batch: {@link Pop3DesyncException},
   *       naming the first message that may not be whole;
   *   <li>a message that is not complete after {@link org.popfetch.net.Timeouts#messageWaitNanos}
   *       of waiting for its size (capped at {@code maxOctets}): {@link Pop3TimeoutException}.
   * </ul>
   *
   * The handler may already have consumed a message that is then found unsafe: the caller must not
   * deliver it.
   */
  public void retr(List<ScanListing> messages, long maxOctets, MessageHandler handler)
      throws IOException {
    requireState(State.TRANSACTION, "RETR");
    messages.forEach(m -> checkNumber(m.number()));
    int window = pipelining() ? settings.pipelineWindow() : 1;
    rateGuard.restart(); // one window of patience for the whole batch
    int sent = 0;
    int done = 0;
    int lastBody = -1; // the message whose body was read last: suspect if a bad reply follows it
    Throwable handlerFailure = null;
    while (done < (handlerFailure == null ? messages.size() : sent)) {
      // The window is topped up once half of it has been answered, not after every reply: one
      // write (and one read at the server) for many RETRs, and still half a window queued.
      if (handlerFailure == null && sent - done <= window / 2) {
        sent = sendRetrs(messages, sent, Math.min(messages.size(), done + window));
      }
      ScanListing listed = messages.get(done++);
      int number = listed.number();
      String what = "RETR " + number;
      budgetFor(listed, maxOctets);
      Pop3Reply reply = readRetrReply(what, number, lastBody);
      if (!reply.ok()) {
        if (handlerFailure == null) {
          try {
            handler.refused(number, new Pop3ErrorException(peer(), what, reply));
          } catch (IOException | RuntimeException e) {
            handlerFailure = e;
          }
        }
        continue;
      }
      OptionalLong announced = announcedOctets(what, reply, listed, lastBody);
      DotTerminatedInputStream body =
          new DotTerminatedInputStream(channel.input(), settings.framing(), maxOctets);
      openBody = body;
      lastBody = number;
      if (handlerFailure == null) {
        try {
          handler.message(number, body);
        } catch (IOException | RuntimeException e) {
          if (body.failure() != null) {
            throw abort(bodyFailure(number, listed, what, body.failure()));
          }
          handlerFailure = e;
        }
      }
      try {
        body.close();
      } catch (IOException e) {
        throw abort(bodyFailure(number, listed, what, e));
      }
      trace.note(what + ": " + body.count() + " octets");
      checkReceived(number, listed, announced, body.count());
    }
    checkNothingLeft(lastBody);
    if (handlerFailure instanceof IOException e) {
      throw e;
    }
    if (handlerFailure instanceof RuntimeException e) {
      throw e;
    }
  }

  /** Sends the RETRs from {@code sent} up to {@code until} (the window's end) in one flush. */
  private int sendRetrs(List<ScanListing> messages, int sent, int until) throws Pop3Exception {
    if (sent >= until) {
      return sent;
    }
    for (; sent < until; sent++) {
      send("RETR " + messages.get(sent).number(), "RETR " + messages.get(sent).number());
    }
    flush("RETR");
    return sent;
  }

  /** How long this message may keep the reader waiting: scaled by its size, capped. */
  private void budgetFor(ScanListing listed, long maxOctets) {
    long expected = listed.size() < 0 ? maxOctets : Math.min(listed.size(), maxOctets);
    rateGuard.budget(
        settings.timeouts().messageWaitNanos(expected),
        "message "
            + listed.number()
            + (listed.size() < 0 ? "" : " (" + listed.size() + " octets listed)"));
  }

  /**
   * The status line answering one RETR of a batch. Anything else means the previous body ended
   * early and this is text from inside it.
   */
  private Pop3Reply readRetrReply(String what, int number, int lastBody) throws Pop3Exception {
    String line = readLine(what);
    Optional<Pop3Reply> parsed = Pop3Reply.parse(line);
    if (parsed.isPresent()) {
      return parsed.get();
    }
    int suspect = lastBody >= 0 ? lastBody : number;
    throw abort(
        desync(
            suspect,
            "it answered "
                + what
                + " with something that is not a POP3 status line: "
                + LogText.sanitize(line)
                + (lastBody >= 0
                    ? " (the body of message " + lastBody + " may have ended early)"
                    : "")));
  }

  /** The octets a "+OK n octets" announces, held to the LIST size. */
  private OptionalLong announcedOctets(
      String what, Pop3Reply reply, ScanListing listed, int lastBody) throws Pop3Exception {
    OptionalLong announced = SizeCheck.octetsIn(reply);
    if (announced.isEmpty() || SizeCheck.fits(announced.getAsLong(), listed.size())) {
      return announced;
    }
    // Either the server disagrees with itself beyond all tolerance, or this "+OK" is text
    // from inside the previous body: the previous message may have been cut.
    int suspect = lastBody >= 0 ? lastBody : listed.number();
    throw abort(
        desync(
            suspect,
            "it answered "
                + what
                + " with "
                + announced.getAsLong()
                + " octets but LIST said "
                + listed.size()
                + " ("
                + LogText.sanitize(reply.line())
                + ")"));
  }

  /** A body whose size fits neither its LIST size nor its "+OK n octets" was not sent whole. */
  private void checkReceived(int number, ScanListing listed, OptionalLong announced, long received)
      throws Pop3Exception {
    if (SizeCheck.fits(received, listed.size())
        && (announced.isEmpty() || SizeCheck.fits(received, announced.getAsLong()))) {
      return;
    }
    throw abort(
        desync(
            number,
            "message "
                + number
                + " came as "
                + received
                + " octets but LIST said "
                + listed.size()
                + (announced.isPresent() ? " and RETR said " + announced.getAsLong() : "")
                + " (a server that does not dot-stuff?)"));
  }

  /**
   * Nothing was asked for after the last RETR: octets waiting now can only be the rest of a body
   * that seemed to end early.
   */
  private void checkNothingLeft(int lastBody) throws Pop3Exception {
    if (channel.buffered() > 0 && lastBody >= 0) {
      throw abort(
          desync(
              lastBody,
              "it sent "
                  + channel.buffered()
                  + " octets after the last reply of the batch"
                  + " (the body of message "
                  + lastBody
                  + " may have ended early)"));
    }
  }

  private Pop3DesyncException desync(int firstUnsafe, String why) {
    return new Pop3DesyncException(
        peer()
            + " is out of step: "
            + why
            + "; message "
            + firstUnsafe
            + " stays on the server, as do those after it in this batch; connection dropped without"
            + " QUIT",
        firstUnsafe);
  }

  /** The exception for a body that could not be read to its end. */
  private Pop3Exception bodyFailure(int number, ScanListing listed, String what, IOException e) {
    if (e instanceof BodyTooLongException tooLong) {
      return new Pop3MessageTooLargeException(
          "message "
              + number
              + " from "
              + peer()
              + " is longer than "
              + tooLong.limit()
              + " octets (LIST said "
              + listed.size()
              + "); not delivered, it stays on the server; connection dropped without QUIT",
          number,
          tooLong.limit(),
          e);
    }
    Pop3Exception translated = channel.failure(what, e);
    if (e instanceof PeerTooSlowException) {
      return new Pop3TimeoutException(translated.getMessage() + "; it stays on the server", e);
    }
    return translated;
  }

  /** DELE n: marks the message; the server removes it only at QUIT. */
  public void dele(int number) throws Pop3Exception {
    requireState(State.TRANSACTION, "DELE");
    checkNumber(number);
    commandOk("DELE " + number, "DELE " + number);
  }

  /**
   * DELE for a batch, pipelined when the server allows. Returns one reply per number, in order; a
   * -ERR for one message does not stop the others.
   */
  public List<Pop3Reply> dele(List<Integer> numbers) throws Pop3Exception {
    requireState(State.TRANSACTION, "DELE");
    numbers.forEach(this::checkNumber);
    int window = pipelining() ? settings.pipelineWindow() : 1;
    List<Pop3Reply> replies = new ArrayList<>(numbers.size());
    rateGuard.restart();
    int sent = 0;
    while (replies.size() < numbers.size()) {
      while (sent < numbers.size() && sent - replies.size() < window) {
        send("DELE " + numbers.get(sent), "DELE " + numbers.get(sent));
        sent++;
      }
      flush("DELE");
      replies.add(readReply("DELE " + numbers.get(replies.size())));
    }
    return replies;
  }

  /** RSET: unmarks every message marked for deletion in this session. */
  public void rset() throws Pop3Exception {
    requireState(State.TRANSACTION, "RSET");
    commandOk("RSET", "RSET");
  }

  /** NOOP: keeps the session alive. */
  public void noop() throws Pop3Exception {
    requireState(State.TRANSACTION, "NOOP");
    commandOk("NOOP", "NOOP");
  }

  /**
   * QUIT: the server removes the messages marked deleted (UPDATE state) and closes. The connection
   * is closed whatever the answer.
   *
   * @throws Pop3ErrorException if the server answers -ERR: some or none of the marked messages may
   *     have been removed (RFC 1939 section 6)
   * @throws Pop3ProtocolException if no answer arrives: the deletions' fate is unknown
   */
  public Pop3Reply quit() throws Pop3Exception {
    requireOpen();
    try {
      return commandOk("QUIT", "QUIT");
    } finally {
      close();
    }
  }

  /**
   * Closes the connection without QUIT. RFC 1939 section 6: the server then enters no UPDATE state
   * and deletes nothing marked in this session. Safe to call more than once.
   */
  @Override
  public void close() {
    state = State.CLOSED;
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing is all that is left to do; a failure here changes nothing.
      }
    }
  }

  /**
   * Drops the connection from another thread, without QUIT: a read in progress in the session's own
   * thread fails at once (with a {@link Pop3ProtocolException}), and so does everything after it.
   * Closing the TCP socket under TLS, not the TLS socket, so no close_notify is written while the
   * session's thread may be inside the TLS engine. The one method of this class that may be called
   * from another thread.
   */
  public void interrupt() {
    Socket s = tcp;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closed is closed
      }
    }
  }

  // ---------------------------------------------------------------- wire handling

  private void readGreeting() throws Pop3Exception {
    Pop3Reply reply = readReply("greeting");
    if (!reply.ok()) {
      throw new Pop3ErrorException(peer(), "the connection", reply);
    }
    greeting = Greeting.of(reply);
  }

  /** STLS (RFC 2595 section 4): upgrade, or stop before any credential. */
  private void stls(TlsLayer tlsLayer) throws Pop3Exception {
    if (capabilities.advertised() && !capabilities.stls()) {
      throw new Pop3SecurityException(
          "TLS required but " + peer() + " does not offer STLS; no credentials sent");
    }
    Pop3Reply reply = command("STLS", "STLS");
    if (!reply.ok()) {
      throw new Pop3SecurityException(
          peer() + " refused STLS: " + reply.line() + "; no credentials sent");
    }
    if (channel.buffered() > 0) {
      // Bytes that came with the go-ahead were sent before TLS and could be an attacker's
      // (response injection): they must never be read as if they came through TLS.
      throw new Pop3SecurityException(
          peer() + " sent " + channel.buffered() + " octets after the STLS go-ahead; closing");
    }
    startTls(tlsLayer, "STLS handshake");
    // RFC 2595 section 4: forget what was learnt before TLS and ask again.
    capabilities = Capabilities.UNKNOWN;
    capa();
  }

  private void startTls(TlsLayer tlsLayer, String what) throws Pop3Exception {
    try {
      socket = tlsLayer.wrap(socket, settings.host(), settings.port());
      secure = true;
      trace.note("TLS established");
      attachStreams();
    } catch (TlsVerificationException e) {
      throw new Pop3SecurityException(e.getMessage(), e);
    } catch (IOException e) {
      throw channel.failure(what, e);
    }
  }

  private void attachStreams() throws Pop3Exception {
    try {
      rateGuard = SocketConnector.input(socket, settings.timeouts());
      channel.attach(rateGuard, new BufferedOutputStream(socket.getOutputStream(), 8192));
    } catch (IOException e) {
      throw channel.failure("connect", e);
    }
  }

  private Pop3Reply command(String line, String traceForm) throws Pop3Exception {
    rateGuard.restart();
    send(line, traceForm);
    flush(traceForm);
    return readReply(traceForm);
  }

  private Pop3Reply commandOk(String line, String traceForm) throws Pop3Exception {
    return expectOk(traceForm, command(line, traceForm));
  }

  private void send(String line, String traceForm) throws Pop3Exception {
    requireOpen();
    if (openBody != null && !openBody.isComplete()) {
      if (openBody.failure() != null) {
        throw channel.failure("the previous message", openBody.failure());
      }
      throw new IllegalStateException("the previous response was not read to its end");
    }
    openBody = null;
    channel.write(line, traceForm);
  }

  private void flush(String what) throws Pop3Exception {
    channel.flush(what);
  }

  /**
   * The next status line. The answer to a CAPA that went out after login with the next command
   * comes before it, and is read first: every reply is read here, whichever command it answers.
   */
  private String readLine(String what) throws Pop3Exception {
    if (capaUnread) {
      readCapa();
    }
    return channel.readLine(what, MAX_STATUS_LINE);
  }

  private Pop3Reply readReply(String what) throws Pop3Exception {
    return parseReply(what, readLine(what));
  }

  private Pop3Reply parseReply(String what, String line) throws Pop3Exception {
    return Pop3Reply.parse(line)
        .orElseThrow(
            () ->
                abort(
                    new Pop3ProtocolException(
                        peer()
                            + " answered "
                            + what
                            + " with something that is not a POP3 status line: "
                            + LogText.sanitize(line))));
  }

  /** What is done with each line of a listing as it arrives. */
  private interface ListingLine {
    void accept(String line) throws Pop3Exception;
  }

  /**
   * Hands each line of a multi-line listing, dot-unstuffed, to {@code sink} as it is read, so that
   * no list of lines is ever held; returns how many there were.
   */
  private int readListing(String what, int maxLines, ListingLine sink) throws Pop3Exception {
    int count = 0;
    long octets = 0;
    while (true) {
      String line = channel.readUntraced(what, MAX_LISTING_LINE);
      if (line.equals(".")) {
        trace.received(".");
        trace.note(what + ": " + count + " lines");
        return count;
      }
      octets += line.length() + 2;
      if (count >= maxLines || octets > MAX_LISTING_OCTETS) {
        throw abort(
            new Pop3ProtocolException(
                peer()
                    + " sent more than "
                    + (octets > MAX_LISTING_OCTETS
                        ? MAX_LISTING_OCTETS + " octets"
                        : maxLines + " lines")
                    + " in answer to "
                    + what
                    + ", more than popfetch holds in one session; nothing was fetched or deleted"));
      }
      count++;
      sink.accept(line.startsWith(".") ? line.substring(1) : line);
      if (count <= 20) {
        trace.received(line);
      }
    }
  }

  /**
   * Whether commands may be pipelined: PIPELINING as last read (right after login, as offered
   * before it, while the CAPA sent with the first command is unanswered).
   */
  private boolean pipelining() {
    return capabilities.pipelining();
  }

  private Pop3Reply expectOk(String what, Pop3Reply reply) throws Pop3ErrorException {
    if (!reply.ok()) {
      throw new Pop3ErrorException(peer(), what, reply);
    }
    return reply;
  }

  /** "number size" and anything after, as LIST gives it; null for a number out of range. */
  private ScanListing parseScan(String what, String line) throws Pop3Exception {
    int start = Words.start(line);
    int end = Words.end(line, start);
    int firstEnd = Words.wordEnd(line, start, end);
    int second = Words.nextWord(line, firstEnd, end);
    if (second == end) {
      throw abort(protocolError(what, line));
    }
    long number = parseCount(what, line, start, firstEnd);
    long size = parseCount(what, line, second, Words.wordEnd(line, second, end));
    if (number < 1 || number > Integer.MAX_VALUE || size < 0) {
      return null;
    }
    return new ScanListing((int) number, size);
  }

  private UidListing parseUid(String what, String line) throws Pop3Exception {
    int space = line.indexOf(' ');
    if (space <= 0) {
      throw abort(protocolError(what, line));
    }
    long number = parseCount(what, line, 0, space);
    String uid = line.substring(space + 1).strip();
    if (number < 1 || number > Integer.MAX_VALUE) {
      return null;
    }
    return new UidListing((int) number, uid);
  }

  private long parseCount(String what, String word) throws Pop3Exception {
    return parseCount(what, word, 0, word.length());
  }

  /**
   * The count written in {@code s[from, to)}; -1 for a negative one (out of range, dropped by the
   * caller).
   *
   * @throws Pop3ProtocolException if it is not a number of at most 18 digits (the session is
   *     closed)
   */
  private long parseCount(String what, String s, int from, int to) throws Pop3Exception {
    long n = Words.number(s, from, to);
    if (n >= 0) {
      return n;
    }
    if (to - from > 1 && s.charAt(from) == '-' && Words.number(s, from + 1, to) >= 0) {
      return -1; // a negative number: out of range, dropped by the caller
    }
    throw abort(protocolError(what, s.substring(from, to)));
  }

  private Pop3ProtocolException protocolError(String what, String text) {
    return new Pop3ProtocolException(
        peer() + " sent a malformed answer to " + what + ": " + LogText.sanitize(text));
  }

  /** The exception for a failure on the wire; the channel has closed the connection. */
  private static Pop3Exception fromWire(WireFailure failure) {
    return switch (failure.kind()) {
      case TIMEOUT, TOO_SLOW -> new Pop3TimeoutException(failure.message(), failure.cause());
      case TLS -> new Pop3SecurityException(failure.message(), failure.cause());
      case LINE_TOO_LONG, CLOSED, BROKEN ->
          new Pop3ProtocolException(failure.message(), failure.cause());
    };
  }

  /** Closes without QUIT and hands the exception back for throwing. */
  private <E extends Pop3Exception> E abort(E e) {
    close();
    return e;
  }

  private void requireOpen() {
    if (state == State.CLOSED) {
      throw new IllegalStateException("the POP3 session with " + peer() + " is closed");
    }
  }

  private void requireState(State wanted, String what) {
    requireOpen();
    if (state != wanted) {
      throw new IllegalStateException(
          what + " is not allowed in " + state + " state (RFC 1939 section 3)");
    }
  }

  private void requireSafeForCredentials() throws Pop3SecurityException {
    if (!secure && !settings.allowPlaintextLogin()) {
      throw new Pop3SecurityException(
          "refusing to send credentials to "
              + peer()
              + " without TLS; allow plaintext login explicitly if this is intended");
    }
  }

  private void checkNumber(int number) {
    if (number < 1) {
      throw new IllegalArgumentException("message numbers start at 1: " + number);
    }
  }

  private static void checkArgument(String arg) {
    for (int i = 0; i < arg.length(); i++) {
      char c = arg.charAt(i);
      if (c == '\r' || c == '\n' || c == ' ' || c == '\0') {
        throw new IllegalArgumentException("POP3 argument contains a space or line break");
      }
    }
    if (arg.isEmpty() || arg.length() > 200) {
      throw new IllegalArgumentException("POP3 argument empty or too long");
    }
  }

  private static String base64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }
}
