package org.popfetch.fetch;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.popfetch.fetch.Selection.Entry;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.LogText;
import org.popfetch.pop3.Capabilities;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3ErrorException;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decisions before download: for the messages a selection would fetch, and for those over max-size
 * whose fate needs their sender and subject, the header is read with {@code TOP n 0} and the rules
 * judge it. Nothing here changes the server or the state: it only reads, and hands back a {@link
 * Plan} the poll carries out (or {@code popfetch explain} prints).
 *
 * <p>A header is asked for only when a rule needs one (or an oversize action names the sender), and
 * a deletion is planned only from a TOP reply read to its terminating line, with a header that
 * ended within {@link HeaderFields#MAX_HEADER}: a header cut short could lack the very field a rule
 * looks for, so such a message is left on the server instead. Every TOP of the poll is read before
 * any DELE goes out, so a connection that fails in the middle deletes nothing.
 *
 * <p>A server without TOP (not in its CAPA, or its first TOP refused) is said once per account and
 * process; the rules then decide each message when it is retrieved ({@link BatchDelivery}).
 */
final class PreDownload {
  private static final Logger LOG = LoggerFactory.getLogger(PreDownload.class);

  /** Accounts whose server's lack of TOP was logged, so the service says it once. */
  private static final Set<String> SAID_NO_TOP = ConcurrentHashMap.newKeySet();

  /**
   * One message and what was decided for it.
   *
   * @param message its envelope and header, if its header was read
   */
  record Judged(Entry entry, Decision decision, Optional<Incoming> message) {}

  /**
   * What the poll is to do.
   *
   * @param fetch the messages to retrieve, in server order
   * @param delete the messages to delete without fetching them (by a rule, or over max-size)
   * @param notice the messages over a max-size whose owner is to be told
   * @param newlyOversize messages a rule found too large, to record (reported once)
   * @param skipped messages a rule leaves on the server
   * @param oversize messages left on the server for being over a rule's max-size
   * @param decisions the judged messages' decisions, in server order
   */
  record Plan(
      List<Entry> fetch,
      List<Judged> delete,
      List<Judged> notice,
      List<SeenUid> newlyOversize,
      int skipped,
      int oversize,
      List<Decision> decisions) {}

  private final Pop3Account account;
  private final MessageRules rules;
  private final Pop3Client client;
  private final Map<String, SeenUid> seen;
  private final Instant now;
  private boolean topTried;
  private boolean topWorks;

  PreDownload(
      Pop3Account account,
      MessageRules rules,
      Pop3Client client,
      Map<String, SeenUid> seen,
      Instant now)
      throws Pop3Exception {
    this.account = account;
    this.rules = rules;
    this.client = client;
    this.seen = seen;
    this.now = now;
    Capabilities capabilities = client.capabilities();
    this.topWorks = !capabilities.advertised() || capabilities.has("TOP");
  }

  /** Whether the server answers TOP, as far as this session has seen. */
  boolean topWorks() {
    return topWorks;
  }

  /**
   * Reads the headers the decisions need and decides.
   *
   * @param explain read the header of every message the selection would fetch, whether a rule needs
   *     it or not, to say who it is for
   * @throws Pop3Exception if the connection fails; nothing has been changed on the server
   */
  Plan plan(Selection selection, boolean explain) throws Pop3Exception {
    boolean headers = explain || rules.needsHeaders();
    if (!topWorks && headers && !selection.fetch().isEmpty()) {
      sayNoTop("its CAPA does not list TOP");
    }
    List<Entry> fetch = new ArrayList<>();
    List<Judged> delete = new ArrayList<>();
    List<Judged> notice = new ArrayList<>();
    List<SeenUid> newlyOversize = new ArrayList<>();
    Map<Integer, Decision> decided = new HashMap<>();
    int skipped = 0;
    int oversize = 0;
    for (Entry e : selection.fetch()) {
      SeenUid recorded = e.tracked() ? seen.get(e.uid()) : null;
      Decision listed = Decision.listed(e, recorded, Decision.Action.FETCH, Optional.empty());
      Optional<Head> head = headers ? header(e) : Optional.empty();
      if (head.isEmpty()) {
        fetch.add(e); // decided, if at all, when it is retrieved
        decided.put(e.number(), listed);
        continue;
      }
      Incoming message = head.get().message();
      Verdict verdict = rules.judge(message, e.size());
      Decision.Action action = action(e, recorded, verdict, head.get());
      Decision d = listed.judged(action, verdict, message);
      decided.put(e.number(), d);
      Judged j = new Judged(e, d, Optional.of(message));
      switch (action) {
        case FETCH -> fetch.add(e);
        case SKIP -> skipped++;
        case DELETE, OVERSIZE_DELETE -> delete.add(j);
        case OVERSIZE_NOTICE -> notice.add(j);
        case OVERSIZE_LEAVE -> {
          oversize++;
          if (e.tracked() && (recorded == null || recorded.state() != UidState.OVERSIZE)) {
            long limit = ((Verdict.Oversize) verdict).limit();
            LOG.info(
                "{}: message {} ({} octets) is larger than the max-size of {} ({}); left on the"
                    + " server",
                account.name(),
                e.number(),
                e.size(),
                LogText.sanitize(verdict.rule()),
                limit);
            newlyOversize.add(new SeenUid(e.uid(), UidState.OVERSIZE, now, e.size()));
          }
        }
        default -> throw new IllegalStateException("no verdict gives " + action);
      }
    }
    for (Entry e : selection.oversizeDelete()) {
      Judged j = oversize(e, Decision.Action.OVERSIZE_DELETE);
      delete.add(j);
      decided.put(e.number(), j.decision());
    }
    for (Entry e : selection.oversizeNotice()) {
      Judged j = oversize(e, Decision.Action.OVERSIZE_NOTICE);
      notice.add(j);
      decided.put(e.number(), j.decision());
    }
    List<Decision> decisions = new ArrayList<>();
    if (explain) {
      for (Decision d : selection.decisions()) {
        decisions.add(decided.getOrDefault(d.number(), d));
      }
    } else {
      decisions.addAll(decided.values());
      decisions.sort((a, b) -> Integer.compare(a.number(), b.number()));
    }
    return new Plan(fetch, delete, notice, newlyOversize, skipped, oversize, decisions);
  }

  /** What a verdict comes to for this message. */
  private Decision.Action action(Entry e, SeenUid recorded, Verdict verdict, Head head) {
    if (verdict instanceof Verdict.Fetch) {
      return Decision.Action.FETCH;
    }
    if (verdict instanceof Verdict.Skip) {
      return Decision.Action.SKIP;
    }
    if (verdict instanceof Verdict.Delete) {
      return head.whole() ? Decision.Action.DELETE : cutHeader(e, Decision.Action.SKIP);
    }
    Verdict.Oversize o = (Verdict.Oversize) verdict;
    return switch (o.action()) {
      case LEAVE -> Decision.Action.OVERSIZE_LEAVE;
      case DELETE ->
          head.whole()
              ? Decision.Action.OVERSIZE_DELETE
              : cutHeader(e, Decision.Action.OVERSIZE_LEAVE);
      case NOTICE ->
          e.tracked() && (recorded == null || recorded.state() != UidState.OVERSIZE)
              ? Decision.Action.OVERSIZE_NOTICE
              : Decision.Action.OVERSIZE_LEAVE;
    };
  }

  private Decision.Action cutHeader(Entry e, Decision.Action instead) {
    LOG.warn(
        "{}: message {} has a header over {} octets; a rule would delete it, but not from a header"
            + " read only in part: left on the server",
        account.name(),
        e.number(),
        HeaderFields.MAX_HEADER);
    return instead;
  }

  /** A message over the account's max-size, with its header if it can be had. */
  private Judged oversize(Entry e, Decision.Action action) throws Pop3Exception {
    SeenUid recorded = e.tracked() ? seen.get(e.uid()) : null;
    Decision listed = Decision.listed(e, recorded, action, Optional.empty());
    Optional<Head> head = header(e); // to name its sender and subject
    if (head.isEmpty()) {
      return new Judged(e, listed, Optional.empty());
    }
    Incoming message = head.get().message();
    Verdict why = new Verdict.Oversize("", e.size(), OversizeAction.LEAVE);
    return new Judged(e, listed.judged(action, why, message), Optional.of(message));
  }

  /** The header of message {@code e} by TOP, read to the end of the reply; empty without TOP. */
  private Optional<Head> header(Entry e) throws Pop3Exception {
    if (!topWorks) {
      return Optional.empty();
    }
    DotTerminatedInputStream in;
    try {
      in = client.top(e.number(), 0);
    } catch (Pop3ErrorException refused) {
      if (!topTried) {
        topWorks = false;
        sayNoTop("it refused TOP: " + LogText.sanitize(refused.reply().line()));
      } else {
        // Deleted by someone else since the listing, say: RETR will tell.
        LOG.info(
            "{}: TOP {} refused: {}",
            account.name(),
            e.number(),
            LogText.sanitize(refused.reply().line()));
      }
      topTried = true;
      return Optional.empty();
    }
    topTried = true;
    HeaderFields header = null;
    boolean whole = false;
    try {
      HeaderFields.Read read = HeaderFields.read(in);
      header = read.header();
      whole = in.count() < HeaderFields.MAX_HEADER;
    } catch (IOException unreadable) {
      if (in.failure() != null) {
        throw broken(e, in.failure());
      }
      LOG.info(
          "{}: the header of message {} cannot be read ({}); it is decided when it is retrieved",
          account.name(),
          e.number(),
          LogText.sanitize(unreadable.getMessage()));
    }
    try {
      in.close(); // to the terminating line: the decision is made from the whole reply
    } catch (IOException cut) {
      throw broken(e, cut);
    }
    if (header == null) {
      return Optional.empty();
    }
    return Optional.of(new Head(judgeable(account, header), whole));
  }

  private Pop3Exception broken(Entry e, IOException cause) {
    client.close(); // out of step: no QUIT, nothing of this session is deleted
    if (cause instanceof Pop3Exception p) {
      return p;
    }
    return new Pop3ProtocolException(
        client.peer() + ": TOP " + e.number() + " 0: " + cause.getMessage(), cause);
  }

  private void sayNoTop(String why) {
    if (SAID_NO_TOP.add(account.name())) {
      LOG.warn(
          "{}: the server has no usable TOP ({}); rules that look at headers decide each message"
              + " when it is retrieved, and an oversize notice names no sender or subject",
          account.name(),
          why);
    }
  }

  /** A message as the rules see it: its envelope and header, without trace fields. */
  static Incoming judgeable(Pop3Account account, HeaderFields header) {
    Envelope envelope = Envelope.of(header, account.mailbox(), account.recipientHeader());
    return new Incoming(account.name(), envelope, TraceHeaders.NONE, header);
  }

  /**
   * A header read by TOP.
   *
   * @param whole whether it ended within {@link HeaderFields#MAX_HEADER}
   */
  private record Head(Incoming message, boolean whole) {}
}
