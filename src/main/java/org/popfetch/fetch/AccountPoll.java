package org.popfetch.fetch;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.popfetch.fetch.Selection.Entry;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.sasl.CredentialException;
import org.popfetch.sasl.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One poll of one account.
 *
 * <p>The order, and why: each batch of new messages is streamed to the destination (RETR,
 * pipelined), committed there (fsync), its UIDs recorded in the store, and only then marked for
 * deletion (DELE); the server deletes nothing before QUIT. A crash, a cut connection or a full disk
 * at any point leaves every undelivered message on the server. Between a commit and the store write
 * a crash can cause a duplicate, never a loss: double deliveries are better than lost mail.
 *
 * <p>A message recorded as delete-pending that is still on the server at the next poll (its DELE or
 * QUIT did not go through) is deleted then, not delivered again.
 *
 * <p>Not reusable: one instance, one {@link #run()}.
 */
public final class AccountPoll {
  private static final Logger LOG = LoggerFactory.getLogger(AccountPoll.class);

  /** How long a stop waits for the message on the wire before dropping the connection. */
  static final Duration STOP_GRACE = Duration.ofSeconds(1);

  private final Pop3Account account;
  private final FetchPolicy policy;
  private SeenUidStore store;
  private final Destination destination;
  private final Destination quarantine;
  private final String localHost;
  private final Clock clock;
  private final FetchObserver observer;
  private final ProtocolTrace trace;

  private int onServer;
  private int deleted;
  private Optional<Duration> loginDelay = Optional.empty();
  private int oversize;
  private int deletedUnfetched;
  private int skipped;
  private int noticed;

  /** Set once the listing is read; it counts what the batches delivered. */
  private BatchDelivery delivery;

  /** Where a batch's commit runs while the next batch is retrieved. */
  private final CommitThread commits;

  private BooleanSupplier stopRequested = () -> false;
  private SeenUidsReadAhead seenAhead;

  private DeliveryLedger ledger = DeliveryLedger.NONE;

  private Lease lease = Lease.EXCLUSIVE;

  private SessionAhead sessionAhead;

  public AccountPoll(
      Pop3Account account,
      FetchPolicy policy,
      SeenUidStore store,
      Destination destination,
      Destination quarantine,
      String localHost,
      Clock clock,
      FetchObserver observer,
      ProtocolTrace trace) {
    this.account = account;
    this.policy = policy;
    this.store = store;
    this.destination = destination;
    this.quarantine = quarantine;
    this.localHost = localHost;
    this.clock = clock;
    this.observer = observer;
    this.trace = trace;
    this.commits = new CommitThread(account.name());
  }

  /**
   * Asks the poll to end early when this says so. Between messages, no further RETR is sent, what
   * was retrieved is delivered, recorded and marked for deletion, and the session ends with QUIT.
   * With a message still on the wire {@link #STOP_GRACE} later (a stalled or trickling server can
   * keep it there as long as it likes) the connection is dropped, without QUIT: the message in hand
   * is abandoned and stays on the server, and what was received whole before it is delivered and
   * recorded as delete-pending, to be deleted by the next poll. Nothing is lost or delivered twice
   * either way. {@code stop} is asked from another thread as well.
   */
  public AccountPoll stopWhen(BooleanSupplier stop) {
    this.stopRequested = stop;
    return this;
  }

  /**
   * Keeps, in this ledger, which parts of a message that goes to several destinations (a multidrop
   * mailbox's users, a rule's destinations) already have it, so that a message tried again after a
   * partial failure is not given twice to any of them. Without one, each part is delivered again.
   */
  public AccountPoll withLedger(DeliveryLedger ledger) {
    this.ledger = ledger;
    return this;
  }

  /**
   * Polls only while {@code lease} holds: it is checked right before each store write, each DELE
   * and the QUIT. Once it is lost the poll ends there, the connection dropped without QUIT, so
   * nothing more is recorded and nothing of the session is deleted. Call before {@link #run}.
   */
  public AccountPoll fencedBy(Lease lease) {
    this.lease = lease;
    this.store = new FencedSeenUidStore(store, lease);
    return this;
  }

  /**
   * Takes its session from {@code ahead}, opened there for it, instead of opening one. Call before
   * {@link #run}.
   */
  public AccountPoll openedAhead(SessionAhead ahead) {
    this.sessionAhead = ahead;
    return this;
  }

  /** Polls once. Never throws: every failure is in the result, and the mail stays on the server. */
  public PollResult run() {
    Optional<PollFailure> failure = Optional.empty();
    boolean saidByCaller = false;
    Pop3Client client = null;
    try {
      // Asked before connecting: a secret that cannot be had costs the server nothing.
      Credentials credentials =
          sessionAhead == null ? account.credentialSource().credentials() : null;
      seenAhead =
          SeenUidsReadAhead.start(
              store, account.key(), mark -> !ListingShortcut.mayListAfter(mark, policy));
      client =
          sessionAhead == null
              ? SessionAhead.loggedIn(account, credentials, trace)
              : sessionAhead.take();
      failure = poll(client);
    } catch (StoreNotOpenedException e) {
      // Met at the first read of the store, right after the login: nothing else was sent, so
      // QUIT deletes nothing and leaves the server as it was. Had anything been retrieved (no
      // path does that before reading the store), the session would end without QUIT instead.
      if (delivery == null) {
        quitQuietly(client);
      }
      failure = Optional.of(new PollFailure(PollFailure.Kind.STORE, e.getMessage()));
      saidByCaller = true;
    } catch (CredentialException e) {
      failure = Optional.of(Failures.classify(e));
    } catch (Pop3Exception e) {
      failure = Optional.of(Failures.classify(e));
    } catch (IOException e) {
      failure = Optional.of(new PollFailure(PollFailure.Kind.STORE, e.getMessage()));
    } catch (RuntimeException | Error e) {
      // Out of memory, a stack overflow or a bug: this poll ends, the session closes without
      // QUIT (nothing of it is deleted), and the caller's other accounts and its stop go on.
      // What the poll held is unreachable by now, so this line can be built.
      failure =
          Optional.of(
              new PollFailure(
                  PollFailure.Kind.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage()));
    } finally {
      if (client != null) {
        // Read with the session's first command after the login, or not at all if the session
        // ended before one was answered.
        loginDelay = client.capabilitiesAfterLogin().flatMap(LoginDelay::of);
        client.close();
      }
      if (seenAhead != null) {
        // A poll that ended before its listing (a refused login, say) leaves no read behind it.
        seenAhead.cancel();
      }
      commits.close();
    }
    PollResult result = result(failure);
    if (saidByCaller) {
      // Whoever opened the store says why it could not be, once for all accounts.
      observer.finished(result);
      return result;
    }
    failure.ifPresent(
        f ->
            LOG.warn(
                "{}: poll failed ({}): {}; {}",
                account.name(),
                f.kind(),
                LogText.sanitize(f.message()),
                f.remedy()));
    observer.finished(result);
    return result;
  }

  private PollResult result(Optional<PollFailure> failure) {
    if (delivery == null) {
      return new PollResult(
          account.name(), onServer, 0, 0, deleted, oversize, 0, failure, loginDelay);
    }
    return new PollResult(
        account.name(),
        onServer,
        delivery.fetched(),
        delivery.octets(),
        deleted,
        oversize + delivery.oversize(),
        delivery.quarantined(),
        failure,
        loginDelay);
  }

  private Optional<PollFailure> poll(Pop3Client client) throws IOException {
    AccountKey key = account.key();
    Optional<ListingMark> mark = seenAhead.mark();
    ListingShortcut.Read read =
        ListingShortcut.read(client, account.name(), mark, policy, seenAhead::get, clock.instant());
    Mailbox mailbox = read.mailbox();
    onServer = mailbox.messages();
    Optional<PollFailure> noUidl = checkUidl(client, mailbox);
    if (noUidl.isPresent()) {
      return noUidl;
    }
    if (mark.isPresent() && mailbox.whole()) {
      // This poll may act on the messages the mark speaks for: if it fails, the next one must
      // not trust the mark. Removed before anything else is written; a poll that ends well
      // leaves a new one.
      store.storeMark(key, Optional.empty());
    }
    WatchedSeenUidStore watched = new WatchedSeenUidStore(store, key);
    store = watched;
    Map<String, SeenUid> seen = seen(mailbox);
    Selection selection = mailbox.select(account.name(), seen, policy, clock.instant());
    MessageRules rules = MessageRules.of(destination);
    delivery =
        new BatchDelivery(
            account,
            policy,
            store,
            destination,
            quarantine,
            localHost,
            clock,
            observer,
            stopRequested,
            STOP_GRACE,
            client,
            seen,
            rules,
            ledger,
            lease);
    oversize = selection.oversize();
    store.record(key, selection.newlyOversize());
    List<Entry> deleting = deleteDeliveredBefore(selection.delete(), seen);
    // Every header the decisions need is read before anything of them is carried out.
    PreDownload.Plan plan =
        new PreDownload(account, rules, client, seen, clock.instant()).plan(selection, false);
    store.record(key, plan.newlyOversize());
    oversize += plan.oversize();
    skipped = plan.skipped();
    OversizeNotices notices = new OversizeNotices(account, destination, store, localHost, clock);
    Optional<PollFailure> failure = carryOut(plan, notices, deleting);
    if (failure.isEmpty()) {
      failure = fetch(plan.fetch(), deleting);
    }
    if (failure.isEmpty() && client.isOpen()) {
      OversizeNotices.Result later = notices.send(delivery.notices());
      noticed += later.sent();
      oversize += later.sent();
      failure = later.failure();
    }
    if (!client.isOpen()) {
      return failure;
    }
    if (failure.isPresent()
        && failure.get().kind() == PollFailure.Kind.DELIVERY
        && deletesOnRetrieval(client)) {
      // A message was retrieved but not delivered, and this server deletes at QUIT what was
      // retrieved whether or not DELE was sent (RFC 2449 EXPIRE 0). End without QUIT: nothing
      // of this session is deleted. What was delivered stays delete-pending and is deleted,
      // not delivered again, by the next poll. Elsewhere QUIT commits the DELEs of what was
      // delivered, so a message that keeps failing does not hold back the others' deletion.
      client.close();
      return failure;
    }
    if (failure.isEmpty() && mailbox.haveUidl() && mailbox.whole()) {
      // Entries for messages gone from the server would only grow the store.
      store.forget(key, mailbox.unlisted(seen));
    }
    failure = quit(client, failure, deleting);
    if (failure.isEmpty()) {
      leaveMark(mailbox, mark, deleting, uid -> watched.stateOf(uid, seen));
    }
    return failure;
  }

  /**
   * What the store holds of the listed messages: every entry for the whole listing (whose end
   * prunes those the server no longer lists), those of the listed unique-ids for a listing after
   * the mark.
   */
  private Map<String, SeenUid> seen(Mailbox mailbox) throws IOException {
    if (!mailbox.haveUidl()) {
      return Map.of();
    }
    if (mailbox.whole()) {
      return seenAhead.get();
    }
    List<String> listed = new ArrayList<>(mailbox.uids().size());
    for (int i = 0; i < mailbox.uids().size(); i++) {
      listed.add(mailbox.uids().uid(i));
    }
    return seenAhead.of(listed);
  }

  /**
   * After a poll that ended well, where the next poll may start listing ({@link ListingShortcut}).
   * Written only if it changed. A failure to write it fails nothing: the mark stays as it was (the
   * one this listing was made after, still true) or absent, and the next poll lists accordingly.
   */
  private void leaveMark(
      Mailbox mailbox,
      Optional<ListingMark> before,
      List<Entry> deleting,
      Function<String, UidState> state) {
    Set<Integer> deleted = new HashSet<>();
    deleting.forEach(e -> deleted.add(e.number()));
    Optional<ListingMark> next =
        ListingShortcut.after(mailbox, mailbox.whole() ? Optional.empty() : before, deleted, state);
    Optional<ListingMark> stored = mailbox.whole() ? Optional.empty() : before;
    if (next.equals(stored)) {
      return;
    }
    try {
      if (next.isPresent() && stored.isPresent() && next.get().samePlaceAs(stored.get())) {
        // Nothing new since the mark: only the count of polls after it went up.
        store.countShortcut(account.key(), next.get());
      } else {
        store.storeMark(account.key(), next);
      }
    } catch (IOException e) {
      LOG.warn(
          "{}: cannot note where this poll left off ({}); the next poll reads the whole listing"
              + " or lists from the older mark",
          account.name(),
          LogText.sanitize(e.getMessage()));
    }
  }

  /** Without UIDL, delete mode still works; keep mode cannot tell old mail from new. */
  private Optional<PollFailure> checkUidl(Pop3Client client, Mailbox mailbox) {
    if (mailbox.haveUidl()) {
      return Optional.empty();
    }
    if (policy.needsUidl()) {
      return Optional.of(
          new PollFailure(
              PollFailure.Kind.CONFIG,
              client.peer()
                  + " does not support UIDL ("
                  + mailbox.uidlRefused().get().line()
                  + "), which keep: true needs to tell old mail from new; nothing fetched"));
    }
    LOG.info("{}: server has no UIDL; fetching and deleting everything", account.name());
    return Optional.empty();
  }

  /**
   * What the plan decides without fetching: deletions (DELE, logged with the sender and subject),
   * then the oversize notices. A notice that cannot be delivered ends the poll before any RETR, as
   * any delivery failure does: the destination is unwell.
   */
  private Optional<PollFailure> carryOut(
      PreDownload.Plan plan, OversizeNotices notices, List<Entry> deleting) throws IOException {
    for (Decision d : plan.decisions()) {
      if (d.action() == Decision.Action.SKIP) {
        // Every poll finds it again: not worth more than a debug line.
        LOG.debug(
            "{}: message {} (from {}, subject {}) left on the server by {}",
            account.name(),
            d.number(),
            LogText.sanitize(d.sender().orElse("?")),
            LogText.sanitize(d.subject().orElse("?")),
            LogText.sanitize(d.rule()));
        observer.decided(account.name(), d);
      }
    }
    if (!plan.delete().isEmpty()) {
      List<Entry> marked =
          delivery.dele(plan.delete().stream().map(PreDownload.Judged::entry).toList());
      for (PreDownload.Judged j : plan.delete()) {
        if (!marked.contains(j.entry())) {
          continue;
        }
        Decision d = j.decision();
        LOG.info(
            "{}: message {} ({} octets, from {}, subject {}) deleted without fetching it, by {}",
            account.name(),
            d.number(),
            d.size(),
            LogText.sanitize(d.sender().orElse("?")),
            LogText.sanitize(d.subject().orElse("?")),
            d.rule().isEmpty() ? "max-size" : LogText.sanitize(d.rule()));
        observer.decided(account.name(), d);
      }
      deletedUnfetched += marked.size();
      deleting.addAll(marked);
    }
    OversizeNotices.Result sent = notices.send(plan.notice());
    if (sent.failure().isEmpty()) {
      plan.notice().forEach(j -> observer.decided(account.name(), j.decision()));
    }
    noticed += sent.sent();
    return sent.failure();
  }

  /**
   * Messages delivered by an earlier poll: recorded delete-pending first, then DELE, so they are
   * never delivered again whatever becomes of this session.
   */
  private List<Entry> deleteDeliveredBefore(List<Entry> delete, Map<String, SeenUid> seen)
      throws IOException {
    List<Entry> deleting = new ArrayList<>();
    if (delete.isEmpty()) {
      return deleting;
    }
    List<SeenUid> pending = new ArrayList<>();
    for (Entry e : delete) {
      pending.add(seen.get(e.uid()).withState(UidState.DELETE_PENDING));
    }
    store.record(account.key(), pending);
    deleting.addAll(delivery.dele(delete));
    return deleting;
  }

  /**
   * The new messages, batch by batch, until a failure or a stop. The commit of each batch but the
   * last runs while the next batch is retrieved; a batch's DELEs go out after its own commit has
   * ended and been recorded, and after a failed commit no DELE goes out for it or any later batch.
   */
  private Optional<PollFailure> fetch(List<Entry> fetch, List<Entry> deleting) throws IOException {
    observer.fetching(account.name(), fetch.size(), fetch.stream().mapToLong(Entry::size).sum());
    List<List<Entry>> batches = batches(fetch);
    BatchDelivery.PendingCommit pending = null;
    try {
      for (int i = 0; i < batches.size(); i++) {
        if (stopRequested.getAsBoolean()) {
          LOG.info("{}: stopping; the rest waits for the next poll", account.name());
          break;
        }
        BatchDelivery.Retrieval retrieved = delivery.retrieve(batches.get(i));
        if (pending != null) {
          BatchDelivery.PendingCommit before = pending;
          pending = null;
          Optional<PollFailure> failure;
          try {
            failure = delivery.finish(before, deleting);
          } catch (IOException | RuntimeException e) {
            delivery.discard(retrieved);
            throw e;
          }
          if (failure.isPresent()) {
            delivery.discard(retrieved); // committed nothing, so deletes nothing
            return failure;
          }
        }
        boolean last = i == batches.size() - 1 || delivery.endsPoll(retrieved);
        pending = delivery.commit(retrieved, last ? null : commits.executor());
        if (last) {
          break;
        }
      }
      if (pending == null) {
        return Optional.empty();
      }
      BatchDelivery.PendingCommit lastCommit = pending;
      pending = null;
      return delivery.finish(lastCommit, deleting);
    } finally {
      if (pending != null) {
        pending.settle(); // the poll failed while a commit was running: let it end first
      }
    }
  }

  /** QUIT, which commits the DELEs; only then are the deleted ones forgotten. */
  private Optional<PollFailure> quit(
      Pop3Client client, Optional<PollFailure> failure, List<Entry> deleting) throws IOException {
    // QUIT is what deletes: a poll that lost its lease ends without it (the IOException drops
    // the connection), its DELEs undone; what they marked stays delete-pending for the next poll.
    lease.check();
    try {
      client.quit();
    } catch (Pop3Exception e) {
      // The deletions' fate is unknown; the entries stay delete-pending and are settled next time.
      return failure.isPresent() ? failure : Optional.of(Failures.classify(e));
    }
    deleted = deleting.size();
    store.forget(account.key(), deleting.stream().filter(Entry::tracked).map(Entry::uid).toList());
    // A poll that changed nothing is not news: the service would say so every few minutes.
    boolean quiet =
        delivery.fetched() == 0
            && deleted == 0
            && oversize + delivery.oversize() == 0
            && skipped + delivery.skipped() == 0;
    LOG.atLevel(quiet ? Level.DEBUG : Level.INFO)
        .log(
            "{}: {} on server, {} fetched ({} octets), {} deleted ({} without fetching),"
                + " {} too large ({} noticed), {} left by rules",
            account.name(),
            onServer,
            delivery.fetched(),
            delivery.octets(),
            deleted,
            deletedUnfetched + delivery.dropped(),
            oversize + delivery.oversize(),
            noticed,
            skipped + delivery.skipped());
    return failure;
  }

  /** QUIT on a session that marked nothing for deletion; its failure changes nothing. */
  static void quitQuietly(Pop3Client client) {
    if (client == null || !client.isOpen()) {
      return;
    }
    try {
      client.quit();
    } catch (Pop3Exception e) {
      // The session ends either way, and nothing of it was to be deleted.
    }
  }

  /** RFC 2449 section 6.7: "EXPIRE 0" means retrieved messages are deleted at QUIT. */
  private static boolean deletesOnRetrieval(Pop3Client client) throws Pop3Exception {
    return client.capabilities().expire().map(e -> e.equals("0")).orElse(false);
  }

  private List<List<Entry>> batches(List<Entry> fetch) {
    List<List<Entry>> out = new ArrayList<>();
    List<Entry> current = new ArrayList<>();
    long bytes = 0;
    for (Entry e : fetch) {
      boolean full =
          current.size() >= policy.batchMessages() || bytes + e.size() > policy.batchOctets();
      if (!current.isEmpty() && full) {
        out.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(e);
      bytes += e.size();
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }
}
