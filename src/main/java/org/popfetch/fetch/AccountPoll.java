package org.popfetch.fetch;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.popfetch.message.Envelope;
import org.popfetch.message.HeaderFields;
import org.popfetch.message.TraceHeaders;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.popfetch.net.LogText;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.pop3.MessageHandler;
import org.popfetch.pop3.Pop3Client;
import org.popfetch.pop3.Pop3DesyncException;
import org.popfetch.pop3.Pop3MessageTooLargeException;
import org.popfetch.pop3.Pop3ErrorException;
import org.popfetch.pop3.Pop3Exception;
import org.popfetch.pop3.Pop3Reply;
import org.popfetch.pop3.ScanListing;
import org.popfetch.pop3.UidListing;
import org.popfetch.fetch.Selection.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of one account.
 *
 * <p>The order, and why: each batch of new messages is streamed to the destination (RETR,
 * pipelined), committed there (fsync), its UIDs recorded in the store, and only then marked
 * for deletion (DELE); the server deletes nothing before QUIT. A crash, a cut connection or a
 * full disk at any point leaves every undelivered message on the server. Between a commit and
 * the store write a crash can cause a duplicate, never a loss: double deliveries are better
 * than lost mail.
 *
 * <p>A message recorded as delete-pending that is still on the server at the next poll (its
 * DELE or QUIT did not go through) is deleted then, not delivered again.
 *
 * <p>Not reusable: one instance, one {@link #run()}.
 */
public final class AccountPoll {
  private static final Logger LOG = LoggerFactory.getLogger(AccountPoll.class);

  /** How long a stop waits for the message on the wire before dropping the connection. */
  static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(1);

  private final Pop3Account account;
  private final FetchPolicy policy;
  private final SeenUidStore store;
  private final Destination destination;
  private final Destination quarantine;
  private final String localHost;
  private final Clock clock;
  private final FetchObserver observer;
  private final ProtocolTrace trace;

  private int onServer;
  private int fetched;
  private long octets;
  private int deleted;
  private int oversize;
  private int quarantined;
  private java.util.function.BooleanSupplier stopRequested = () -> false;

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
  }

  /**
   * Asks the poll to end early when this says so. Between messages, no further RETR is sent,
   * what was retrieved is delivered, recorded and marked for deletion, and the session ends with
   * QUIT. With a message still on the wire {@link #STOP_GRACE} later (a stalled or trickling
   * server can keep it there as long as it likes) the connection is dropped, without QUIT: the
   * message in hand is abandoned and stays on the server, and what was received whole before it
   * is delivered and recorded as delete-pending, to be deleted by the next poll. Nothing is lost
   * or delivered twice either way. {@code stop} is asked from another thread as well.
   */
  public AccountPoll stopWhen(java.util.function.BooleanSupplier stop) {
    this.stopRequested = stop;
    return this;
  }

  /** Polls once. Never throws: every failure is in the result, and the mail stays on the server. */
  public PollResult run() {
    Optional<PollFailure> failure = Optional.empty();
    Pop3Client client = null;
    try {
      client = Pop3Client.connect(account.settings(), trace);
      client.login(account.credentials(), account.auth());
      failure = poll(client);
    } catch (Pop3Exception e) {
      failure = Optional.of(Failures.classify(e));
    } catch (IOException e) {
      failure = Optional.of(new PollFailure(PollFailure.Kind.STORE, e.getMessage()));
    } catch (RuntimeException | Error e) {
      // Out of memory, a stack overflow or a bug: this poll ends, the session closes without
      // QUIT (nothing of it is deleted), and the caller's other accounts and its stop go on.
      // What the poll held is unreachable by now, so this line can be built.
      failure = Optional.of(new PollFailure(PollFailure.Kind.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage()));
    } finally {
      if (client != null) {
        client.close();
      }
    }
    PollResult result =
        new PollResult(account.name(), onServer, fetched, octets, deleted, oversize, quarantined, failure);
    failure.ifPresent(f -> LOG.warn("{}: poll failed ({}): {}", account.name(), f.kind(), LogText.sanitize(f.message())));
    observer.finished(result);
    return result;
  }

  private Optional<PollFailure> poll(Pop3Client client) throws IOException {
    Mailbox mailbox = Mailbox.read(client);
    onServer = mailbox.listing().size();
    if (!mailbox.haveUidl()) {
      if (policy.needsUidl()) {
        return Optional.of(
            new PollFailure(
                PollFailure.Kind.CONFIG,
                client.peer() + " does not support UIDL (" + mailbox.uidlRefused().get().line()
                    + "), which keep: true needs to tell old mail from new; nothing fetched"));
      }
      LOG.info("{}: server has no UIDL; fetching and deleting everything", account.name());
    }
    boolean haveUidl = mailbox.haveUidl();
    AccountKey key = account.key();
    Map<String, SeenUid> seen = haveUidl ? store.load(key) : Map.of();
    Selection selection = mailbox.select(account.name(), seen, policy, clock.instant());
    oversize = selection.oversize();
    store.record(key, selection.newlyOversize());

    List<Entry> deleting = new ArrayList<>();
    if (!selection.delete().isEmpty()) {
      List<SeenUid> pending = new ArrayList<>();
      for (Entry e : selection.delete()) {
        pending.add(seen.get(e.uid()).withState(UidState.DELETE_PENDING));
      }
      store.record(key, pending);
      deleting.addAll(dele(client, selection.delete()));
    }

    observer.fetching(account.name(), selection.fetch().size(), selection.fetchOctets());
    Optional<PollFailure> failure = Optional.empty();
    for (List<Entry> batch : batches(selection.fetch())) {
      if (stopRequested.getAsBoolean()) {
        LOG.info("{}: stopping; the rest waits for the next poll", account.name());
        break;
      }
      failure = fetchBatch(client, batch, seen, deleting);
      if (failure.isPresent()) {
        break;
      }
    }
    if (!client.isOpen()) {
      return failure;
    }
    if (failure.isPresent() && failure.get().kind() == PollFailure.Kind.DELIVERY && deletesOnRetrieval(client)) {
      // A message was retrieved but not delivered, and this server deletes at QUIT what was
      // retrieved whether or not DELE was sent (RFC 2449 EXPIRE 0). End without QUIT: nothing
      // of this session is deleted. What was delivered stays delete-pending and is deleted,
      // not delivered again, by the next poll. Elsewhere QUIT commits the DELEs of what was
      // delivered, so a message that keeps failing does not hold back the others' deletion.
      client.close();
      return failure;
    }
    if (failure.isEmpty() && haveUidl) {
      // Entries for messages gone from the server would only grow the store.
      List<String> gone = seen.keySet().stream().filter(uid -> !mailbox.lists(uid)).toList();
      store.forget(key, gone);
    }
    try {
      client.quit();
    } catch (Pop3Exception e) {
      // The deletions' fate is unknown; the entries stay delete-pending and are settled next time.
      return failure.isPresent() ? failure : Optional.of(Failures.classify(e));
    }
    deleted = deleting.size();
    store.forget(key, deleting.stream().filter(Entry::tracked).map(Entry::uid).toList());
    LOG.info("{}: {} on server, {} fetched ({} octets), {} deleted, {} too large",
        account.name(), onServer, fetched, octets, deleted, oversize);
    return failure;
  }

  /**
   * RETR, stage, commit, record, DELE for one batch.
   *
   * <p>Each message's header is read first to reconstruct its envelope. A temporary delivery
   * failure records the attempt, stops staging (the destination is unwell: the rest of the
   * batch is drained and stays on the server) and ends the poll after the commit of what was
   * staged before it. A permanent one puts the message, as the destination would have had it,
   * into the quarantine Maildir, which counts as delivered: it is then deleted from the server.
   */
  private Optional<PollFailure> fetchBatch(
      Pop3Client client, List<Entry> batch, Map<String, SeenUid> seen, List<Entry> deleting) throws IOException {
    Map<Integer, Entry> byNumber = new HashMap<>();
    batch.forEach(e -> byNumber.put(e.number(), e));
    List<Destination.Staged> staged = new ArrayList<>();
    List<Entry> stagedEntries = new ArrayList<>();
    List<Destination.Staged> held = new ArrayList<>();
    List<Entry> heldEntries = new ArrayList<>();
    List<SeenUid> failedAttempts = new ArrayList<>();
    List<SeenUid> tooLarge = new ArrayList<>();
    Optional<PollFailure>[] failure = new Optional[] {Optional.empty()};
    Instant now = clock.instant();
    long started = System.nanoTime();
    int[] inHand = {0};
    // A stop ends the batch at the next message (the handler's StopRequested). A retrieval that
    // is still going a moment later drops the connection: a stalled or trickling body could take
    // as long as the server likes. The message in hand is then abandoned and stays on the
    // server; the ones before it were received whole.
    java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    try (StopWatch.Watch watch = StopWatch.watch(stopRequested, STOP_GRACE, () -> {
          interrupted.set(true);
          client.interrupt();
        })) {
      client.retr(
          batch.stream().map(e -> new ScanListing(e.number(), e.size())).toList(),
          policy.messageCap(),
          new MessageHandler() {
            @Override
            public void message(int number, org.popfetch.net.DotTerminatedInputStream body) throws IOException {
              if (failure[0].isPresent()) {
                return; // the destination failed: leave the rest on the server
              }
              if (stopRequested.getAsBoolean()) {
                throw new StopRequested(); // no further RETR; what is staged is delivered below
              }
              Entry entry = byNumber.get(number);
              inHand[0] = number;
              HeaderFields.Read read = HeaderFields.read(body);
              Envelope envelope = Envelope.of(read.header(), account.mailbox(), account.recipientHeader());
              Incoming incoming =
                  new Incoming(
                      account.name(),
                      envelope,
                      TraceHeaders.forFetch(account.settings().host(), client.isSecure(), localHost,
                          account.name(), envelope.recipient(), now),
                      read.header());
              try {
                staged.add(destination.stage(incoming, read.message()));
                stagedEntries.add(entry);
                observer.fetched(account.name(), number, body.count());
              } catch (DeliveryException e) {
                if (body.failure() != null) {
                  throw e; // the connection broke, not the destination
                }
                if (!e.isTemporary() && e.rescued().isPresent()) {
                  held.add(quarantine(incoming, entry, e));
                  heldEntries.add(entry);
                } else {
                  SeenUid before = entry.tracked() ? seen.get(entry.uid()) : null;
                  SeenUid attempt =
                      (before != null ? before : new SeenUid(entry.uid(), UidState.FAILED, now, entry.size()))
                          .failedAgain(LogText.sanitize(e.getMessage()));
                  if (entry.tracked()) {
                    failedAttempts.add(attempt);
                  }
                  LOG.warn("{}: message {} left on the server, delivery failed (attempt {}): {}",
                      account.name(), number, attempt.attempts(), LogText.sanitize(e.getMessage()));
                  failure[0] =
                      Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, e.getMessage()));
                }
              }
              inHand[0] = 0; // dealt with: a stop from here on abandons nothing
            }

            @Override
            public void refused(int number, Pop3ErrorException error) {
              // Deleted by someone else since the listing, say: nothing to deliver, nothing lost.
              LOG.info("{}: RETR {} refused: {}", account.name(), number, LogText.sanitize(error.reply().line()));
            }
          });
    } catch (StopRequested e) {
      LOG.info("{}: stopping after {} message(s) of this batch; the rest waits for the next poll",
          account.name(), stagedEntries.size() + heldEntries.size());
    } catch (DeliveryException e) {
      failure[0] = Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, e.getMessage()));
    } catch (Pop3Exception e) {
      if (interrupted.get()) {
        LOG.info("{}: stopping; {} abandoned mid-transfer, it stays on the server;"
                + " {} message(s) of this batch were received whole", account.name(),
            inHand[0] == 0 ? "the rest of the batch" : "message " + inHand[0],
            stagedEntries.size() + heldEntries.size());
      } else {
        failure[0] = Optional.of(Failures.classify(e));
      }
      if (e instanceof Pop3DesyncException d) {
        // Nothing from the first message that may not be whole onwards is delivered or recorded.
        int from = Math.max(0, batch.indexOf(byNumber.get(d.firstUnsafe()))); // unknown: trust none
        dropFrom(batch, from, stagedEntries, staged, destination);
        dropFrom(batch, from, heldEntries, held, quarantine);
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
    long retrieved = System.nanoTime();
    store.record(account.key(), failedAttempts);
    store.record(account.key(), tooLarge);
    if (staged.isEmpty() && held.isEmpty()) {
      return failure[0];
    }
    try {
      destination.commit(staged);
    } catch (DeliveryException e) {
      destination.discard(staged);
      quarantine.discard(held);
      return Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, e.getMessage()));
    }
    try {
      quarantine.commit(held);
    } catch (DeliveryException e) {
      // Delivered ones are delivered; the refused ones stay on the server for the next poll.
      quarantine.discard(held);
      heldEntries.clear();
      failure[0] = Optional.of(new PollFailure(PollFailure.Kind.DELIVERY, "quarantine " + quarantine.describe() + ": " + e.getMessage()));
    }
    quarantined += heldEntries.size();
    long committed = System.nanoTime();
    List<Entry> done = new ArrayList<>(stagedEntries);
    done.addAll(heldEntries);
    List<SeenUid> delivered = new ArrayList<>();
    for (Entry e : done) {
      if (e.tracked()) {
        delivered.add(new SeenUid(e.uid(), policy.keep() ? UidState.KEPT : UidState.DELETE_PENDING, now, e.size()));
      }
    }
    for (Entry e : stagedEntries) {
      fetched++;
      octets += e.size();
    }
    // Recorded before any DELE: if this write fails, nothing is deleted and the next poll
    // delivers these again (a duplicate, not a loss).
    store.record(account.key(), delivered);
    long recorded = System.nanoTime();
    if (!policy.keep() && client.isOpen()) {
      try {
        deleting.addAll(dele(client, done));
      } catch (Pop3Exception e) {
        return failure[0].isPresent() ? failure[0] : Optional.of(Failures.classify(e));
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}: batch of {}: retrieve {} ms, commit {} ms, record {} ms, delete {} ms",
          account.name(), done.size(), (retrieved - started) / 1_000_000, (committed - retrieved) / 1_000_000,
          (recorded - committed) / 1_000_000, (System.nanoTime() - recorded) / 1_000_000);
    }
    return failure[0];
  }

  /** Discards the staged messages whose entries come at or after {@code from} in the batch. */
  private static void dropFrom(
      List<Entry> batch, int from, List<Entry> entries, List<Destination.Staged> stagedOnes, Destination where) {
    List<Destination.Staged> dropped = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (batch.indexOf(entries.get(i)) >= from) {
        entries.remove(i);
        dropped.add(stagedOnes.remove(i));
      }
    }
    where.discard(dropped);
  }

  /** Stages a refused message into the quarantine, from the copy the destination rescued. */
  private Destination.Staged quarantine(Incoming incoming, Entry entry, DeliveryException refusal) throws IOException {
    Path rescued = refusal.rescued().orElseThrow();
    try (InputStream in = Files.newInputStream(rescued)) {
      Destination.Staged s =
          quarantine.stage(incoming.withTrace(TraceHeaders.NONE), in);
      LOG.warn("{}: message {} (uid {}) refused for good by {}: {}; kept in {} and deleted from the server",
          account.name(), entry.number(), LogText.sanitize(entry.uid()), destination.describe(),
          LogText.sanitize(refusal.getMessage()), quarantine.describe());
      return s;
    } finally {
      Files.deleteIfExists(rescued);
    }
  }

  /** RFC 2449 section 6.7: "EXPIRE 0" means retrieved messages are deleted at QUIT. */
  private static boolean deletesOnRetrieval(Pop3Client client) {
    return client.capabilities().expire().map(e -> e.equals("0")).orElse(false);
  }

  private List<Entry> dele(Pop3Client client, List<Entry> entries) throws Pop3Exception {
    List<Pop3Reply> replies = client.dele(entries.stream().map(Entry::number).toList());
    List<Entry> marked = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (replies.get(i).ok()) {
        marked.add(entries.get(i));
      } else {
        LOG.warn("{}: DELE {} refused: {}", account.name(), entries.get(i).number(), LogText.sanitize(replies.get(i).line()));
      }
    }
    return marked;
  }

  private List<List<Entry>> batches(List<Entry> fetch) {
    List<List<Entry>> out = new ArrayList<>();
    List<Entry> current = new ArrayList<>();
    long bytes = 0;
    for (Entry e : fetch) {
      if (!current.isEmpty() && (current.size() >= policy.batchMessages() || bytes + e.size() > policy.batchOctets())) {
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

  /** The handler's way to stop the pipelined RETRs when the service is stopping. */
  private static final class StopRequested extends IOException {
    StopRequested() {
      super("stop requested");
    }
  }
}
