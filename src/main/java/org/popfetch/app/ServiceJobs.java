package org.popfetch.app;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.config.Schedule;
import org.popfetch.control.Heartbeat;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.fetch.Leases;
import org.popfetch.fetch.PollFailure;
import org.popfetch.fetch.PollResult;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.metrics.PopfetchMetrics;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.oauth.OAuthTokens;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueueRunner;
import org.popfetch.schedule.AccountPolling;
import org.popfetch.schedule.ClusteredScheduler;
import org.popfetch.schedule.PollScheduler;
import org.popfetch.schedule.ServerSlots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the service runs for one configuration: a Quartz job per account, the queue job if anything
 * forwards, a heartbeat job for the watchdog; and the same polls and queue runs on demand (the
 * control socket's {@code poll} and {@code flush}).
 *
 * <p>A poll asked for and the account's scheduled poll never run at once: both hold the account's
 * lock (one per UID scope, kept by the daemon across reloads) for the whole poll, taken before a
 * connection slot. A scheduled run that finds the lock held is skipped, since that account is being
 * polled right then; a poll asked for waits for a scheduled one to end and then polls again. Queue
 * runs share one lock likewise.
 */
final class ServiceJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceJobs.class);

  /** How often the heartbeat job tells the watchdog the scheduler still runs jobs. */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);

  /**
   * How often a node reads the cluster's nodes, leases and configuration, for status and metrics.
   */
  static final Duration CLUSTER_REFRESH = Duration.ofSeconds(5);

  /** What the jobs share with the daemon and outlive a reload. */
  record Shared(
      SeenUidStore store,
      PopfetchMetrics metrics,
      boolean trace,
      BooleanSupplier stopping,
      Map<String, PopfetchDaemon.Standing> standings,
      Locks locks,
      ServiceLedger ledger,
      Heartbeat heartbeat,
      OAuthAccounts oauth,
      Leases leases,
      Optional<ClusterNode> cluster) {}

  /** One lock per account scope and one for the queue, for the daemon's lifetime. */
  static final class Locks {
    private final Map<AccountKey, Lock> accounts = new ConcurrentHashMap<>();
    private final Lock queue = new ReentrantLock();

    Lock account(AccountKey key) {
      return accounts.computeIfAbsent(key, k -> new ReentrantLock());
    }

    Lock queue() {
      return queue;
    }
  }

  /** An account as the jobs poll it, and the lease its poll holds while it runs. */
  private record Polled(
      AccountRun.Target target, AccountPolling polling, AtomicReference<Lease> lease) {}

  private final PopfetchConfig config;
  private final Shared shared;
  private final PollScheduler scheduler;
  private final ServerSlots slots;
  private final Map<String, Polled> accounts = new LinkedHashMap<>();
  private final MailQueue queue;

  /** Runs the queue soon after a poll queued mail; null if nothing forwards. */
  private final QueueKick kick;

  private final Map<String, QueueRunner.Route> routes;

  /**
   * This machine's name for Maildir file names, trace headers and notices, looked up once for the
   * configuration's jobs rather than at each poll (a reload looks it up again).
   */
  private final String host = AccountWiring.localHost();

  /** In a cluster: each account's task on this node, and its schedule for the whole cluster. */
  private final Map<String, Runnable> clusterTasks = new LinkedHashMap<>();

  private final Map<String, ClusteredScheduler.Spec> clusterSpecs = new LinkedHashMap<>();

  private ServiceJobs(PopfetchConfig config, Shared shared, MailQueue queue, int accounts)
      throws Exception {
    this.config = config;
    this.shared = shared;
    this.queue = queue;
    this.kick =
        queue == null
            ? null
            : new QueueKick(
                PopfetchDaemon.guarded("queue", () -> runQueue(false, false), PopfetchDaemon.HALT));
    // Routes are built once, their passwords read at each login; a runner is made for each run,
    // since its counts add up over its runs.
    this.routes =
        queue == null ? Map.of() : AccountWiring.routes(config, AccountRun.Secrets.AT_EACH_LOGIN);
    // As many threads as polls may run at once (no more than there are accounts), one for the
    // queue if anything forwards, one for the heartbeat so that busy polls do not starve it.
    this.scheduler =
        new PollScheduler(
            Math.max(1, Math.min(config.parallel(), accounts)) + (queue == null ? 0 : 1) + 1);
    this.slots = new ServerSlots(config.perServer());
  }

  /** Jobs for every account of {@code plan}; nothing runs before {@link #start}. */
  static ServiceJobs of(AccountRun.Plan plan, Shared shared) throws Exception {
    PopfetchConfig config = plan.config();
    shared
        .standings()
        .keySet()
        .retainAll(plan.targets().stream().map(AccountRun.Target::name).toList());
    MailQueue queue =
        AccountWiring.forwards(config)
            ? new MailQueue(config.queue().dir(), Clock.systemUTC())
            : null;
    ServiceJobs jobs = new ServiceJobs(config, shared, queue, plan.targets().size());
    for (AccountRun.Target t : plan.targets()) {
      jobs.add(t);
    }
    if (queue != null) {
      jobs.scheduler.serviceTask(
          "queue",
          PopfetchDaemon.QUEUE_INTERVAL,
          PopfetchDaemon.guarded("queue", () -> jobs.runQueue(false, true), PopfetchDaemon.HALT));
    }
    jobs.scheduler.serviceTask("popfetch-heartbeat", HEARTBEAT, shared.heartbeat()::beat);
    if (shared.cluster().isPresent()) {
      ClusterNode node = shared.cluster().get();
      Map<String, AccountKey> keys = new LinkedHashMap<>();
      plan.targets().forEach(t -> keys.put(t.name(), t.account().key()));
      jobs.scheduler.serviceTask(
          "popfetch-cluster",
          CLUSTER_REFRESH,
          PopfetchDaemon.guarded(
              "cluster", () -> node.refresh(keys, shared.metrics()), PopfetchDaemon.HALT));
    }
    shared.ledger().accounts(plan.targets().stream().map(AccountRun.Target::name).toList());
    return jobs;
  }

  private void add(AccountRun.Target t) throws Exception {
    if (shared.cluster().isEmpty()) {
      // In a cluster another node may poll it: this node's health cannot expect its polls.
      shared.metrics().account(t.name(), t.config().schedule().interval());
    }
    OAuthTokens tokens = shared.oauth().all().get(t.name());
    if (tokens != null) {
      shared.metrics().oauth(t.name(), tokenTimes(tokens));
    }
    // An account whose settings did not change keeps its backoff and notice across a reload:
    // a reload must not undo the rest a refusing server was given, nor repeat the notice.
    PopfetchDaemon.Standing st =
        PopfetchDaemon.standing(shared.standings(), t, config.authFailureNotice());
    AtomicReference<Lease> lease = new AtomicReference<>(Lease.EXCLUSIVE);
    AccountPolling polling =
        AccountPolling.standing(
            t.name(),
            PollWiring.kept(t, config, shared.store(), queue, shared.trace(), host, lease::get),
            shared
                .ledger()
                .observer(shared.metrics().observer(AccountWiring.destinationKind(t.config()))),
            new AccountPolling.Standing(
                st.backoff(),
                st.notice(),
                () -> AccountWiring.destination(t.config(), config, queue, host)),
            Clock.systemUTC());
    accounts.put(t.name(), new Polled(t, polling, lease));
    Runnable job =
        () -> {
          Lock lock = shared.locks().account(t.account().key());
          if (!lock.tryLock()) {
            return; // polled right now on request: this run has nothing to add
          }
          Optional<Lease> held = Optional.empty();
          try {
            held = lease(t);
            if (held.isEmpty()) {
              return; // polled by another node right now, or the database is out of reach
            }
            lease.set(held.get());
            // Empty when resting, or stopping while waiting for a connection slot: the next
            // trigger (or the next start) polls it.
            polling
                .pollWhenDue(slots, t.server(), t.port(), shared.stopping())
                .ifPresent(r -> forwardSoon(t, r));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            held.ifPresent(Lease::close);
            lease.set(Lease.EXCLUSIVE);
            lock.unlock();
          }
        };
    schedule(
        t.name(),
        t.config().schedule(),
        PopfetchDaemon.guarded(t.name(), job, PopfetchDaemon.HALT));
  }

  /**
   * The account's lease, taken without waiting: empty if another node polls it now, or if the
   * database cannot say (no poll runs without its lease).
   */
  private Optional<Lease> lease(AccountRun.Target t) {
    try {
      Optional<Lease> l = shared.leases().tryAcquire(t.account().key());
      if (l.isEmpty()) {
        LOG.debug("{}: polled by another node right now", t.name());
      }
      return l;
    } catch (IOException e) {
      LOG.warn("{}: not polled: {}", t.name(), e.getMessage());
      return Optional.empty();
    }
  }

  private void schedule(String name, Schedule when, Runnable job) throws Exception {
    if (shared.cluster().isPresent()) {
      clusterTasks.put(name, job);
      clusterSpecs.put(
          name,
          when instanceof Schedule.Cron cron
              ? ClusteredScheduler.Spec.cron(cron.expression())
              : ClusteredScheduler.Spec.every(((Schedule.Interval) when).every()));
      return;
    }
    if (when instanceof Schedule.Cron cron) {
      scheduler.cron(name, cron.expression(), job);
    } else {
      scheduler.every(name, ((Schedule.Interval) when).every(), job);
    }
  }

  /** What the metrics show of an account's tokens: times and a count, read at each scrape. */
  private static PopfetchMetrics.TokenTimes tokenTimes(OAuthTokens tokens) {
    return new PopfetchMetrics.TokenTimes() {
      @Override
      public double expiry() {
        return tokens.times().expires().map(i -> (double) i.getEpochSecond()).orElse(Double.NaN);
      }

      @Override
      public double lastRefresh() {
        return tokens
            .times()
            .lastRefresh()
            .map(i -> (double) i.getEpochSecond())
            .orElse(Double.NaN);
      }

      @Override
      public double refreshFailures() {
        return tokens.times().failures();
      }
    };
  }

  void start() throws Exception {
    // Counted from here, once the jobs this set replaces have closed (their polls ended): a poll
    // of the old set that ended after the new set was made must not count as a first poll.
    shared.ledger().firstPolls();
    scheduler.start();
    if (kick != null) {
      // What the queue holds from before the start (or the reload) leaves now, not at the queue
      // job's first run, which comes up to half a minute later.
      kick.request();
    }
    if (shared.cluster().isPresent()) {
      shared.cluster().get().follow(config.source(), clusterTasks, clusterSpecs);
    }
  }

  /** Whether an account of this name is polled. */
  boolean has(String name) {
    return accounts.containsKey(name);
  }

  /**
   * Polls the named accounts (all if none) now, {@code parallel} at a time under the per-server
   * cap, resting or not, each after its scheduled poll if one is running.
   *
   * @return the results in configuration order; an account given up on because the service stops
   *     has a result with an INTERNAL failure saying so
   */
  List<PollResult> pollNow(List<String> names) throws InterruptedException {
    List<Polled> chosen =
        accounts.values().stream()
            .filter(p -> names.isEmpty() || names.contains(p.target().name()))
            .toList();
    if (chosen.isEmpty()) {
      return List.of();
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.parallel(), chosen.size()));
    try {
      List<Future<PollResult>> futures = new ArrayList<>();
      for (Polled p : chosen) {
        futures.add(pool.submit(() -> pollOne(p)));
      }
      List<PollResult> results = new ArrayList<>();
      for (Future<PollResult> f : futures) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          throw new IllegalStateException("poll failed unexpectedly", e.getCause());
        }
      }
      return results;
    } finally {
      pool.shutdown();
    }
  }

  private PollResult pollOne(Polled p) throws InterruptedException {
    AccountRun.Target t = p.target();
    Lock lock = shared.locks().account(t.account().key());
    lock.lockInterruptibly();
    Optional<Lease> held = Optional.empty();
    try {
      held = lease(t);
      if (held.isEmpty()) {
        return new PollResult(
            t.name(),
            0,
            0,
            0,
            0,
            0,
            0,
            Optional.of(
                new PollFailure(
                    PollFailure.Kind.SERVER_BUSY,
                    "another node is polling it right now, or the shared database is out of"
                        + " reach; not polled")));
      }
      p.lease().set(held.get());
      PollResult result =
          slots
              .run(
                  t.server(),
                  t.port(),
                  shared.stopping(),
                  () -> p.polling().poll(shared.stopping()))
              .orElseGet(
                  () ->
                      new PollResult(
                          t.name(),
                          0,
                          0,
                          0,
                          0,
                          0,
                          0,
                          Optional.of(
                              new PollFailure(
                                  PollFailure.Kind.INTERNAL,
                                  "the service is stopping; not polled"))));
      forwardSoon(t, result);
      return result;
    } finally {
      held.ifPresent(Lease::close);
      p.lease().set(Lease.EXCLUSIVE);
      lock.unlock();
    }
  }

  /** Asks for a queue run now if the poll fetched mail the account may forward. */
  private void forwardSoon(AccountRun.Target t, PollResult result) {
    if (kick != null && result.fetched() > 0 && AccountWiring.forwards(t.config())) {
      kick.request();
    }
  }

  /**
   * One run of the queue, then its size for the metrics and the status.
   *
   * @param everything every message now, not only those due
   * @param skipIfBusy return empty at once if another run is going (the scheduled job)
   */
  Optional<QueueRunner.Report> runQueue(boolean everything, boolean skipIfBusy) {
    MailQueue q = queue;
    if (q == null) {
      return Optional.of(new QueueRunner.Report(0, 0, 0)); // nothing forwards: nothing queued
    }
    Lock lock = shared.locks().queue();
    if (skipIfBusy) {
      if (!lock.tryLock()) {
        return Optional.empty();
      }
    } else {
      lock.lock();
    }
    try {
      QueueRunner.Report report =
          new QueueRunner(
                  q,
                  routes,
                  AccountWiring.queuePolicy(config),
                  Clock.systemUTC(),
                  ProtocolTrace.NONE)
              .run(everything);
      shared.metrics().queueRun(report.delivered(), report.deferred(), report.bounced());
      var entries = q.entries();
      Duration oldest =
          entries.stream()
              .map(s -> Duration.between(s.entry().arrival(), Instant.now()))
              .max(Duration::compareTo)
              .orElse(Duration.ZERO);
      shared.metrics().queue(entries.size(), oldest);
      shared.ledger().queue(entries.size());
      shared.heartbeat().beat();
      return Optional.of(report);
    } catch (IOException | RuntimeException e) {
      LOG.error("queue run failed: {}", e.getMessage());
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** The forwarding queue, if any account forwards. */
  Optional<MailQueue> queue() {
    return Optional.ofNullable(queue);
  }

  /** Stops starting jobs and waits for the running ones to finish. */
  @Override
  public void close() throws Exception {
    scheduler.close();
    if (kick != null) {
      kick.close();
    }
  }
}
