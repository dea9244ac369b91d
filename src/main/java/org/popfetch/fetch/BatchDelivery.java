package org.popfetch.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.popfetch.fetch.Selection.Entry;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import org.popfetch.net.DotTerminatedInputStream;
import org.popfetch.net.LogText;
import org.popfetch.pop3.MessageHandler;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3DesyncException;
import org.popfetch.pop3.Pop3ErrorException;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3MessageTooLargeException;
import org.popfetch.pop3.Pop3Reply;
import org.popfetch.pop3.ScanListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RETR, stage, commit, quarantine commit, record, DELE for the batches of one poll, in that order.
 * Nothing is marked for deletion before its copy is committed and its UID recorded.
 *
 * <p>Each message's header is read first to reconstruct its envelope. A {@link Outcome.Deferred}
 * records the attempt, stops staging (the destination is unwell: the rest of the batch is drained
 * and stays on the server) and ends the poll after the commit of what was staged before it. A
 * {@link Outcome.Rejected} with a rescued copy puts the message, as the destination would have had
 * it, into the quarantine Maildir, which counts as delivered: it is then deleted from the server. A
 * rejection without a copy is treated as a deferral: the message stays on the server, and an admin
 * has to act.
 */
final class BatchDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(BatchDelivery.class);

  private final Pop3Account account;
  private final FetchPolicy policy;
  private final SeenUidStore store;
  private final Destination destination;
  private final Destination quarantine;
  private final String localHost;
  private final Clock clock;
  private final FetchObserver observer;
  private final BooleanSupplier stopRequested;
  private final Duration stopGrace;
  private final Pop3Client client;
  private final Map<String, SeenUid> seen;
  private final MessageRules rules;

  /** Oversize notices the rules asked for when the messages were retrieved (no TOP). */
  private final List<PreDownload.Judged> notices = new ArrayList<>();

  private final DeliveryLedger ledger;

  private int fetched;
  private int dropped;
  private int skipped;
  private long octets;
  private int oversize;
  private int quarantined;

  /**
   * @param seen the store's entries for this account, as loaded at the start of the poll
   * @param stopGrace how long a stop waits for the message on the wire before the connection is
   *     dropped
   */
  /** Asked right before each DELE: a poll that lost its account deletes nothing more. */
  private final Lease lease;

  BatchDelivery(
      Pop3Account account,
      FetchPolicy policy,
      SeenUidStore store,
      Destination destination,
      Destination quarantine,
      String localHost,
      Clock clock,
      FetchObserver observer,
      BooleanSupplier stopRequested,
      Duration stopGrace,
      Pop3Client client,
      Map<String, SeenUid> seen,
      MessageRules rules,
      DeliveryLedger ledger,
      Lease lease) {
    this.rules = rules;
    this.account = account;
    this.policy = policy;
    this.store = store;
    this.destination = destination;
    this.quarantine = quarantine;
    this.localHost = localHost;
    this.clock = clock;
    this.observer = observer;
    this.stopRequested = stopRequested;
    this.stopGrace = stopGrace;
    this.client = client;
    this.seen = seen;
    this.ledger = ledger;
    this.lease = lease;
  }

  /** Messages delivered (not counting the quarantined) by the batches so far. */
  int fetched() {
    return fetched;
  }

  /** Their octets, as listed by the server. */
  long octets() {
    return octets;
  }

  /** Messages found over the cap while being retrieved. */
  int oversize() {
    return oversize;
  }

  /** Messages refused for good and kept in the quarantine. */
  int quarantined() {
    return quarantined;
  }

  /** Messages a rule deleted when they were retrieved (the server has no TOP). */
  int dropped() {
    return dropped;
  }

  /** Messages a rule left on the server when they were retrieved (the server has no TOP). */
  int skipped() {
    return skipped;
  }

  /** Oversize notices that rules asked for when their messages were retrieved. */
  List<PreDownload.Judged> notices() {
    return notices;
  }

  /**
   * Delivers one batch and marks what was delivered for deletion, adding it to {@code deleting}:
   * {@link #retrieve}, {@link #commit} here and now, {@link #finish}.
   *
   * @return why the poll should end here, if it should
   * @throws IOException if the store cannot be written; nothing of the batch is then deleted
   */
  Optional<PollFailure> deliver(List<Entry> batch, List<Entry> deleting) throws IOException {
    return finish(commit(retrieve(batch), null), deleting);
  }

  /**
   * Retrieves one batch (RETR, pipelined) and stages it; records the failed attempts and what was
   * found too large. Nothing of it is committed yet.
   *
   * @throws IOException if the store cannot be written; the staged messages are then discarded
   */
  Retrieval retrieve(List<Entry> batch) throws IOException {
    Retrieval r = new Retrieval(batch, clock.instant());
    r.started = System.nanoTime();
    r.retrieve();
    r.retrieved = System.nanoTime();
    try {
      store.record(account.key(), r.failedAttempts);
      store.record(account.key(), r.tooLarge);
    } catch (IOException | RuntimeException e) {
      discard(r);
      throw e;
    }
    return r;
  }

  /** Whether the retrieval ended the poll: a failure, or a connection that is gone. */
  boolean endsPoll(Retrieval r) {
    return r.failure.isPresent() || !client.isOpen();
  }

  /** Throws away what a batch staged, for a batch whose commit is not to be started. */
  void discard(Retrieval r) {
    destination.discard(r.delivered.staged);
    quarantine.discard(r.held.staged);
  }

  /**
   * Starts the commit of a retrieved batch: the destination's commit, the quarantine's, and the
   * store's record of both. With {@code background} given, and destinations that can {@link
   * Destination#detach detach} a batch, it runs there while the caller retrieves the next batch;
   * otherwise it has run when this returns. Either way nothing is deleted before {@link #finish}.
   */
  PendingCommit commit(Retrieval r, Executor background) {
    if (r.delivered.isEmpty() && r.held.isEmpty()) {
      return new PendingCommit(r, CompletableFuture.completedFuture(CommitOutcome.NOTHING));
    }
    if (background != null) {
      Optional<Destination.Commit> main = destination.detach(r.delivered.staged);
      if (main.isPresent()) {
        Optional<Destination.Commit> held = quarantine.detach(r.held.staged);
        if (held.isPresent()) {
          return new PendingCommit(
              r,
              CompletableFuture.supplyAsync(
                  () -> commitAndRecord(r, main.get(), held.get()), background));
        }
        // The quarantine cannot go alongside: the whole commit here, the destination's first.
        return new PendingCommit(
            r,
            CompletableFuture.completedFuture(
                commitAndRecord(r, main.get(), () -> quarantine.commit(r.held.staged))));
      }
    }
    return new PendingCommit(
        r,
        CompletableFuture.completedFuture(
            commitAndRecord(
                r,
                () -> destination.commit(r.delivered.staged),
                () -> quarantine.commit(r.held.staged))));
  }

  /**
   * Commits (destination first, then quarantine) and records what was committed in the store, on
   * whatever thread: it touches only the batch's own staged messages and the store.
   */
  private CommitOutcome commitAndRecord(
      Retrieval r, Destination.Commit main, Destination.Commit held) {
    try {
      main.run();
    } catch (DeliveryException e) {
      return new CommitOutcome(e, null, null);
    } catch (RuntimeException e) {
      return new CommitOutcome(null, null, e);
    }
    DeliveryException heldFailed = null;
    try {
      held.run();
    } catch (DeliveryException e) {
      // Delivered ones are delivered; the refused ones stay on the server for the next poll.
      heldFailed = e;
      r.held.entries.clear();
    } catch (RuntimeException e) {
      return new CommitOutcome(null, null, e);
    }
    r.committed = System.nanoTime();
    List<Entry> done = new ArrayList<>(r.delivered.entries);
    done.addAll(r.held.entries);
    try {
      // Recorded before any DELE: if this write fails, nothing is deleted and the next poll
      // delivers these again (a duplicate, not a loss).
      store.record(account.key(), records(done, r.now));
    } catch (IOException | RuntimeException e) {
      return new CommitOutcome(null, heldFailed, e);
    }
    r.recorded = System.nanoTime();
    forgetParts(done);
    return new CommitOutcome(null, heldFailed, null);
  }

  /**
   * Waits for the commit, then marks what it delivered for deletion (DELE), adding it to {@code
   * deleting}. A commit that failed deletes nothing of its batch; the caller must then delete
   * nothing of a later batch either.
   *
   * @return why the poll should end here, if it should
   * @throws IOException if the store could not be written; nothing of the batch is then deleted
   */
  Optional<PollFailure> finish(PendingCommit pending, List<Entry> deleting) throws IOException {
    Retrieval r = pending.retrieval();
    CommitOutcome outcome = pending.await();
    if (outcome == CommitOutcome.NOTHING) {
      Optional<PollFailure> dropFailed = deleteDropped(r, deleting);
      return r.failure.isPresent() ? r.failure : dropFailed;
    }
    if (outcome.failed() != null) {
      discard(r);
      return Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, outcome.failed().getMessage()));
    }
    if (outcome.heldFailed() != null) {
      quarantine.discard(r.held.staged);
      r.failure =
          Optional.of(
              new PollFailure(
                  PollFailure.Kind.DELIVERY,
                  "quarantine "
                      + quarantine.describe()
                      + ": "
                      + outcome.heldFailed().getMessage()));
    }
    if (outcome.broken() != null) {
      if (outcome.broken() instanceof IOException io) {
        throw io;
      }
      if (outcome.broken() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(outcome.broken());
    }
    quarantined += r.held.entries.size();
    List<Entry> done = new ArrayList<>(r.delivered.entries);
    done.addAll(r.held.entries);
    for (Entry e : r.delivered.entries) {
      fetched++;
      octets += e.size();
    }
    long deleStarted = System.nanoTime();
    if (!policy.keep() && client.isOpen()) {
      try {
        deleting.addAll(dele(done));
      } catch (Pop3Exception e) {
        return r.failure.isPresent() ? r.failure : Optional.of(Failures.classify(e));
      }
    }
    Optional<PollFailure> dropFailed = deleteDropped(r, deleting);
    if (dropFailed.isPresent()) {
      return r.failure.isPresent() ? r.failure : dropFailed;
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{}: batch of {}: retrieve {} ms, commit {} ms, record {} ms, waited {} ms, delete {} ms",
          account.name(),
          done.size(),
          millis(r.started, r.retrieved),
          millis(r.retrieved, r.committed),
          millis(r.committed, r.recorded),
          millis(pending.awaitStarted, pending.awaitEnded),
          millis(deleStarted, System.nanoTime()));
    }
    return r.failure;
  }

  /**
   * Marks for deletion what a rule deleted on retrieval, and takes the batch's notices for the poll
   * to send: only once the batch's commit is through, so a failed commit deletes nothing.
   */
  private Optional<PollFailure> deleteDropped(Retrieval r, List<Entry> deleting)
      throws IOException {
    notices.addAll(r.notices);
    if (r.dropped.isEmpty() || !client.isOpen()) {
      return Optional.empty();
    }
    try {
      List<Entry> marked = dele(r.dropped);
      dropped += marked.size();
      deleting.addAll(marked);
      return Optional.empty();
    } catch (Pop3Exception e) {
      return Optional.of(Failures.classify(e));
    }
  }

  /**
   * How a commit went: {@code failed} if the destination's commit failed (nothing of the batch is
   * delivered), {@code heldFailed} if only the quarantine's did, {@code broken} if the store could
   * not be written or something unforeseen happened.
   */
  private record CommitOutcome(
      DeliveryException failed, DeliveryException heldFailed, Throwable broken) {
    static final CommitOutcome NOTHING = new CommitOutcome(null, null, null);
  }

  /** A batch's commit, running or done; {@link #finish} waits for it. */
  static final class PendingCommit {
    private final Retrieval retrieval;
    private final CompletableFuture<CommitOutcome> outcome;
    private long awaitStarted;
    private long awaitEnded;

    private PendingCommit(Retrieval retrieval, CompletableFuture<CommitOutcome> outcome) {
      this.retrieval = retrieval;
      this.outcome = outcome;
    }

    Retrieval retrieval() {
      return retrieval;
    }

    /** Waits for the commit to end, however it ends; an interrupt is kept for the caller. */
    private CommitOutcome await() {
      awaitStarted = System.nanoTime();
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return outcome.get();
          } catch (InterruptedException e) {
            // The commit is under way and must end before anything of this poll goes on:
            // its outcome decides what may be deleted.
            interrupted = true;
          } catch (ExecutionException e) {
            return new CommitOutcome(null, null, e.getCause());
          }
        }
      } finally {
        awaitEnded = System.nanoTime();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Waits for the commit without deleting anything: the poll ends here. */
    void settle() {
      await();
    }
  }

  /**
   * Sends DELE for the entries; returns those the server accepted.
   *
   * @throws Pop3Exception if the connection fails; the entries stay delete-pending
   * @throws Lease.LostException if the poll's lease is gone; nothing is sent
   */
  List<Entry> dele(List<Entry> entries) throws IOException {
    lease.check();
    List<Pop3Reply> replies = client.dele(entries.stream().map(Entry::number).toList());
    List<Entry> marked = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (replies.get(i).ok()) {
        marked.add(entries.get(i));
      } else {
        LOG.warn(
            "{}: DELE {} refused: {}",
            account.name(),
            entries.get(i).number(),
            LogText.sanitize(replies.get(i).line()));
      }
    }
    return marked;
  }

  /**
   * The record of which parts of these messages have them is no longer needed once each is recorded
   * as delivered as a whole. Failing here costs only a stale row, so it is not fatal.
   */
  private void forgetParts(List<Entry> done) {
    if (ledger == DeliveryLedger.NONE) {
      return;
    }
    try {
      ledger.forgetParts(
          account.key(), done.stream().filter(Entry::tracked).map(Entry::uid).toList());
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: cannot forget the delivered parts: {}", account.name(), e.toString());
    }
  }

  /** The store's entries for what was delivered or quarantined: kept, or pending deletion. */
  private List<SeenUid> records(List<Entry> done, Instant now) {
    List<SeenUid> delivered = new ArrayList<>();
    UidState state = policy.keep() ? UidState.KEPT : UidState.DELETE_PENDING;
    for (Entry e : done) {
      if (e.tracked()) {
        delivered.add(new SeenUid(e.uid(), state, now, e.size()));
      }
    }
    return delivered;
  }

  private static long millis(long from, long to) {
    return (to - from) / 1_000_000;
  }

  // Retrieval stays nested: it works on this poll's connection, destinations, store and counters.
  /** The retrieval of one batch: what was staged where, what failed, and why it ended. */
  final class Retrieval implements MessageHandler {
    final List<Entry> batch;
    final Instant now;
    final Map<Integer, Entry> byNumber = new HashMap<>();
    final Staging delivered = new Staging(destination);
    final Staging held = new Staging(quarantine);
    final List<SeenUid> failedAttempts = new ArrayList<>();
    final List<SeenUid> tooLarge = new ArrayList<>();
    final List<Entry> dropped = new ArrayList<>();
    final List<PreDownload.Judged> notices = new ArrayList<>();
    Optional<PollFailure> failure = Optional.empty();

    /**
     * Each message's header is read into this first, one message at a time: each is staged, or
     * left, before the next is read.
     */
    final byte[] headerBuffer = new byte[HeaderFields.FIRST_READ];

    /** The trace fields made last, and for whom ({@link #traceFor}). */
    private TraceHeaders trace;

    private String traceRecipient;

    /** The number of the message being received, 0 between messages. */
    int inHand;

    /** When it started, ended, and its commit and record ended, for the debug log. */
    long started;

    long retrieved;
    volatile long committed;
    volatile long recorded;

    /** Set when a stop dropped the connection in the middle of the batch. */
    final AtomicBoolean interrupted = new AtomicBoolean();

    Retrieval(List<Entry> batch, Instant now) {
      this.batch = batch;
      this.now = now;
      batch.forEach(e -> byNumber.put(e.number(), e));
    }

    /** Streams the batch in; a failure of the connection ends up in {@link #failure}. */
    void retrieve() throws IOException {
      // A stop ends the batch at the next message (the handler's StopRequested). A retrieval
      // that is still going a moment later drops the connection: a stalled or trickling body
      // could take as long as the server likes. The message in hand is then abandoned and stays
      // on the server; the ones before it were received whole.
      try (StopWatch.Watch watch =
          StopWatch.watch(
              stopRequested,
              stopGrace,
              () -> {
                interrupted.set(true);
                client.interrupt();
              })) {
        destination.expect(batch.size());
        try {
          client.retr(
              batch.stream().map(e -> new ScanListing(e.number(), e.size())).toList(),
              policy.messageCap(),
              this);
        } finally {
          // A batch that staged nothing (every message refused or left by the rules) must not
          // hand its count to the next staging, the oversize notices say.
          destination.expect(0);
        }
      } catch (StopRequested e) {
        LOG.info(
            "{}: stopping after {} message(s) of this batch; the rest waits for the next poll",
            account.name(),
            received());
      } catch (DeliveryException e) {
        failure = Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, e.getMessage()));
      } catch (Pop3Exception e) {
        broken(e);
      }
    }

    @Override
    public void message(int number, DotTerminatedInputStream body) throws IOException {
      if (failure.isPresent()) {
        return; // the destination failed: leave the rest on the server
      }
      if (stopRequested.getAsBoolean()) {
        throw new StopRequested(); // no further RETR; what is staged is delivered below
      }
      Entry entry = byNumber.get(number);
      inHand = number;
      // The envelope and the rules read the header as it came; the destination gets it
      // rewritten as the account says (switched-off trace fields, dropped fields).
      HeaderFields.Read read =
          HeaderFields.read(new WireBody(body), account.headers().removedFields(), headerBuffer);
      // The same rules as before download, now on the header RETR gave: where TOP is missing
      // they decide here, and where the server's TOP and RETR disagree, RETR counts.
      Incoming judged = PreDownload.judgeable(account, read.header());
      Verdict verdict = rules.judge(judged, entry.size());
      if (!(verdict instanceof Verdict.Fetch)) {
        decidedOnRetrieval(entry, verdict, judged);
        inHand = 0; // the rest of its body is read and discarded
        return;
      }
      Envelope envelope = judged.envelope(); // the same header, account and recipient field
      Incoming incoming =
          new Incoming(
              account.name(),
              envelope,
              traceFor(envelope.recipient()),
              read.header(),
              entry.tracked() && ledger != DeliveryLedger.NONE
                  ? MessageProgress.of(ledger, account.key(), entry.uid())
                  : MessageProgress.NONE);
      Outcome outcome = stage(incoming, read.message(), body);
      if (outcome instanceof Outcome.Delivered d) {
        delivered.add(entry, d.staged());
        observer.fetched(account.name(), number, body.count());
      } else if (outcome instanceof Outcome.Rejected r && r.rescued().isPresent()) {
        held.add(entry, quarantine(incoming, entry, r.reason(), r.rescued().get()));
      } else if (outcome instanceof Outcome.Refusal refusal) {
        leftOnServer(entry, refusal.reason());
      }
      inHand = 0; // dealt with: a stop from here on abandons nothing
    }

    /**
     * The trace fields for a message to {@code recipient}: the same for every message of the batch
     * to the same recipient (one date, the batch's), so made once for a run of them.
     */
    private TraceHeaders traceFor(String recipient) {
      if (!recipient.equals(traceRecipient)) {
        trace =
            account
                .headers()
                .trace(
                    TraceHeaders.forFetch(
                        account.settings().host(),
                        client.isSecure(),
                        localHost,
                        account.name(),
                        recipient,
                        now));
        traceRecipient = recipient;
      }
      return trace;
    }

    /** A message the rules do not let through, found on retrieval: nothing of it is staged. */
    private void decidedOnRetrieval(Entry entry, Verdict verdict, Incoming message) {
      SeenUid recorded = entry.tracked() ? seen.get(entry.uid()) : null;
      boolean toldBefore = recorded != null && recorded.state() == UidState.OVERSIZE;
      String from = LogText.sanitize(message.envelope().sender());
      String subject = LogText.sanitize(message.header().first("Subject").orElse(""));
      String rule = LogText.sanitize(verdict.rule());
      if (verdict instanceof Verdict.Skip) {
        skipped++;
        LOG.info(
            "{}: message {} (from {}, subject {}) left on the server by {}",
            account.name(),
            entry.number(),
            from,
            subject,
            rule);
        return;
      }
      Verdict.Oversize o = verdict instanceof Verdict.Oversize v ? v : null;
      if (o == null || o.action() == OversizeAction.DELETE) {
        LOG.info(
            "{}: message {} (from {}, subject {}) to be deleted by {}",
            account.name(),
            entry.number(),
            from,
            subject,
            rule);
        dropped.add(entry);
        return;
      }
      if (o.action() == OversizeAction.NOTICE && entry.tracked() && !toldBefore) {
        Decision d =
            Decision.listed(entry, recorded, Decision.Action.OVERSIZE_NOTICE, Optional.empty())
                .judged(Decision.Action.OVERSIZE_NOTICE, verdict, message);
        notices.add(new PreDownload.Judged(entry, d, Optional.of(message)));
        return;
      }
      oversize++;
      if (entry.tracked() && !toldBefore) {
        LOG.info(
            "{}: message {} ({} octets) is larger than the max-size of {} ({}); left on the"
                + " server",
            account.name(),
            entry.number(),
            entry.size(),
            rule,
            o.limit());
        tooLarge.add(new SeenUid(entry.uid(), UidState.OVERSIZE, now, entry.size()));
      }
    }

    @Override
    public void refused(int number, Pop3ErrorException error) {
      // Deleted by someone else since the listing, say: nothing to deliver, nothing lost.
      LOG.info(
          "{}: RETR {} refused: {}",
          account.name(),
          number,
          LogText.sanitize(error.reply().line()));
    }

    /**
     * The destination's verdict on one message.
     *
     * @throws DeliveryException if the connection broke under the destination, not the destination
     *     itself
     */
    private Outcome stage(Incoming incoming, InputStream message, DotTerminatedInputStream body)
        throws DeliveryException {
      try {
        return new Outcome.Delivered(destination.stage(incoming, message));
      } catch (DeliveryException e) {
        if (body.failure() != null) {
          throw e; // the connection broke, not the destination
        }
        return e.refusal();
      }
    }

    /** Records the failed attempt; the message stays on the server and the batch stops. */
    private void leftOnServer(Entry entry, String reason) {
      SeenUid before = entry.tracked() ? seen.get(entry.uid()) : null;
      SeenUid attempt =
          (before != null ? before : new SeenUid(entry.uid(), UidState.FAILED, now, entry.size()))
              .failedAgain(LogText.sanitize(reason));
      if (entry.tracked()) {
        failedAttempts.add(attempt);
      }
      // INFO: the poll's own failure line (a warning) follows with the same reason and what to do.
      LOG.info(
          "{}: message {} left on the server, delivery failed (attempt {}): {}",
          account.name(),
          entry.number(),
          attempt.attempts(),
          LogText.sanitize(reason));
      failure = Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, reason));
    }

    /** Stages a refused message into the quarantine, from the copy the destination rescued. */
    private Destination.Staged quarantine(
        Incoming incoming, Entry entry, String reason, Path rescued) throws IOException {
      try (InputStream in = Files.newInputStream(rescued)) {
        Destination.Staged s = quarantine.stage(incoming.withTrace(TraceHeaders.NONE), in);
        LOG.warn(
            "{}: message {} (uid {}) refused for good by {}: {}; kept in {} and deleted"
                + " from the server",
            account.name(),
            entry.number(),
            LogText.sanitize(entry.uid()),
            destination.describe(),
            LogText.sanitize(reason),
            quarantine.describe());
        return s;
      } finally {
        Files.deleteIfExists(rescued);
      }
    }

    /** The connection failed or was dropped by a stop. */
    private void broken(Pop3Exception e) {
      if (interrupted.get()) {
        LOG.info(
            "{}: stopping; {} abandoned mid-transfer, it stays on the server;"
                + " {} message(s) of this batch were received whole",
            account.name(),
            inHand == 0 ? "the rest of the batch" : "message " + inHand,
            received());
      } else {
        failure = Optional.of(Failures.classify(e));
      }
      if (e instanceof Pop3DesyncException d) {
        // Nothing from the first message that may not be whole onwards is delivered or
        // recorded; when that message is unknown, none is trusted.
        int from = Math.max(0, batch.indexOf(byNumber.get(d.firstUnsafe())));
        delivered.dropFrom(batch, from);
        held.dropFrom(batch, from);
        if (d instanceof Pop3MessageTooLargeException big) {
          Entry entry = byNumber.get(big.number());
          oversize++;
          if (entry != null && entry.tracked()) {
            // Recorded with more than the cap, so the next polls leave it alone and quietly.
            tooLarge.add(new SeenUid(entry.uid(), UidState.OVERSIZE, now, big.limit() + 1));
          }
        }
      }
    }

    private int received() {
      return delivered.entries.size() + held.entries.size();
    }
  }
}
