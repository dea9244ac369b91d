package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.HostPort;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.control.ControlServer;
import org.popfetch.control.Heartbeat;
import org.popfetch.control.SdNotify;
import org.popfetch.control.Watchdog;
import org.popfetch.fetch.AuthFailureNotice;
import org.popfetch.fetch.Leases;
import org.popfetch.fetch.SeenUidStore;
import org.popfetch.metrics.MetricsServer;
import org.popfetch.metrics.PopfetchMetrics;
import org.popfetch.net.LogText;
import org.popfetch.queue.MailQueue;
import org.popfetch.schedule.Backoff;
import org.popfetch.store.RememberingSeenUidStore;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.store.StateLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: every account polled on its schedule, the queue run every minute, metrics and health
 * served when configured. {@link #stop()} stops starting polls, lets the running ones finish, and
 * releases the state.
 */
public final class PopfetchDaemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PopfetchDaemon.class);
  static final Duration QUEUE_INTERVAL = Duration.ofMinutes(1);

  /**
   * Seen UIDs kept in memory between polls, over all accounts: a few MB at most (some 60 octets an
   * entry), enough for a hundred accounts of a few hundred kept messages each, or one of 20,000 and
   * many small ones. A mailbox beyond it is read from the state file at each poll.
   */
  static final long REMEMBERED_UIDS = 100_000;

  /** How often the configuration file is looked at for changes (reading a small file is cheap). */
  static final Duration CONFIG_CHECK = Duration.ofSeconds(5);

  private final StateLock lock;
  private final SeenUidStore store;
  private final MetricsServer server;
  private final PopfetchMetrics metrics;
  private final Path configFile;
  private final boolean trace;
  private final SdNotify notify;
  private final Heartbeat heartbeat = new Heartbeat();
  private final ServiceLedger ledger;
  private final ServiceJobs.Locks locks = new ServiceJobs.Locks();
  private PopfetchConfig config;
  private volatile ServiceJobs jobs;
  private ConfigFileWatch watch;
  private ControlServer control;
  private Watchdog watchdog;

  /**
   * Set on stop: polls in flight deliver what came whole; a message still on the wire is abandoned
   * (it stays on the server) rather than waited for.
   */
  private final AtomicBoolean stopping = new AtomicBoolean();

  /** Per account name: the state that outlives a reload. */
  private final Map<String, Standing> standings = new ConcurrentHashMap<>();

  /** Each OAuth account's tokens, kept across polls and, where its settings stay, reloads. */
  private final OAuthAccounts oauth;

  /** This process as a node of a cluster, when the state is shared. */
  private Optional<ClusterNode> cluster = Optional.empty();

  /** An account's settings and the backoff and notice state that go with them. */
  record Standing(AccountConfig config, Backoff backoff, AuthFailureNotice notice) {}

  /** The account's standing from before a reload if its settings are the same, else a fresh one. */
  static Standing standing(Map<String, Standing> standings, AccountRun.Target t, int noticeAfter) {
    return standings.compute(
        t.config().name(),
        (n, before) ->
            before != null
                    && before.config().equals(t.config())
                    && before.notice().after() == noticeAfter
                ? before
                : new Standing(
                    t.config(),
                    new Backoff(n, t.config().schedule().interval()),
                    new AuthFailureNotice(
                        t.account(), noticeAfter, AccountWiring.localHost(), Clock.systemUTC())));
  }

  private PopfetchDaemon(
      StateLock lock,
      SeenUidStore store,
      MetricsServer server,
      PopfetchMetrics metrics,
      Path configFile,
      boolean trace,
      OAuthAccounts oauth) {
    this.lock = lock;
    this.oauth = oauth;
    this.store = store;
    this.server = server;
    this.metrics = metrics;
    this.configFile = configFile;
    this.trace = trace;
    this.notify = SdNotify.fromEnvironment();
    this.ledger =
        new ServiceLedger(Clock.systemUTC(), heartbeat, notify, PopfetchDaemon::giveBackHeap);
  }

  /**
   * Reads the configuration again (SIGHUP): jobs for new accounts start, removed ones stop, changed
   * ones run with their new settings. A configuration that does not validate is rejected and the
   * running one kept. Polls in flight finish first.
   *
   * @return whether the new configuration was taken
   */
  public boolean reload() {
    return reloadChecked().isEmpty();
  }

  /**
   * Reloads as {@link #reload()} does.
   *
   * @return empty if the new configuration was taken, else why not: the lines {@code config check}
   *     would print ("popfetch: FILE:LINE: ..."), the running configuration staying
   */
  synchronized Optional<String> reloadChecked() {
    notify.reloading();
    try {
      Optional<String> refused = replaceJobs();
      refused.ifPresent(
          why -> LOG.error("reload rejected, the running configuration stays: {}", why));
      return refused;
    } finally {
      notify.ready(ledger.summary());
    }
  }

  private Optional<String> replaceJobs() {
    StringWriter why = new StringWriter();
    PrintWriter err = new PrintWriter(why);
    AccountRun.Plan plan;
    try {
      CommonOptions options = new CommonOptions();
      options.config = configFile;
      plan = AccountRun.plan(options, List.of(), err, AccountRun.Secrets.AT_EACH_LOGIN, oauth);
    } catch (AccountRun.Exit e) {
      err.flush();
      return Optional.of(why.toString().strip());
    }
    if (!plan.config().state().equals(config.state())) {
      return Optional.of(
          "popfetch: the state store changed ("
              + plan.config().stateUrl()
              + "); restart popfetch for that");
    }
    if (!plan.config().controlSocket().equals(config.controlSocket())) {
      return Optional.of(
          "popfetch: control.socket changed ("
              + plan.config().controlSocket()
              + "); restart popfetch for that");
    }
    if (!plan.config().metricsListen().equals(config.metricsListen())) {
      // The meters and their server are made at the start, or not at all (PopfetchMetrics).
      return Optional.of(
          "popfetch: metrics.listen changed ("
              + plan.config().metricsListen().map(String::valueOf).orElse("none")
              + "); restart popfetch for that");
    }
    try {
      oauth.retain(plan.targets().stream().map(AccountRun.Target::name).toList());
      ServiceJobs next = ServiceJobs.of(plan, shared());
      jobs.close(); // lets running polls finish
      jobs = next;
      config = plan.config();
      try {
        AccountWiring.adoptOldState(config, store); // an added account may own state from before
      } catch (IOException e) {
        LOG.error("state store: {}", e.getMessage());
      }
      jobs.start();
      LOG.info("configuration reloaded: {} account(s)", plan.targets().size());
      return Optional.empty();
    } catch (Exception e) {
      return Optional.of("popfetch: reload failed: " + e.getMessage());
    }
  }

  private ServiceJobs.Shared shared() {
    return new ServiceJobs.Shared(
        store,
        metrics,
        trace,
        stopping::get,
        standings,
        locks,
        ledger,
        heartbeat,
        oauth,
        cluster.map(c -> c.leases).orElse(Leases.EXCLUSIVE),
        cluster);
  }

  /**
   * Starts the service for a configuration.
   *
   * @throws AccountRun.Exit after printing why, if it cannot start
   */
  static PopfetchDaemon start(Path configFile, boolean trace, PrintWriter err)
      throws AccountRun.Exit, Exception {
    CommonOptions options = new CommonOptions();
    options.config = configFile;
    options.trace = trace;
    OAuthAccounts oauth = new OAuthAccounts(Clock.systemUTC());
    AccountRun.Plan plan =
        AccountRun.plan(options, List.of(), err, AccountRun.Secrets.AT_EACH_LOGIN, oauth);
    PopfetchConfig config = plan.config();
    var routes = AccountWiring.routes(config, AccountRun.Secrets.AT_EACH_LOGIN);
    AccountRun.stateDirectory(config, err);
    AccountRun.queueDirectory(config, err);
    StateLock lock =
        StateLock.tryAcquire(config.state().file())
            .orElseThrow(
                () -> {
                  err.println("popfetch: another popfetch is using the state " + config.stateUrl());
                  err.flush();
                  return new AccountRun.Exit(ExitStatus.LOCKED.code);
                });
    SeenUidStore store = null;
    MetricsServer server = null;
    PopfetchDaemon daemon = null;
    ClusterNode node = null;
    try {
      if (config.state().clustered()) {
        // Every node writes the shared store: nothing of it may be kept in memory here.
        node = ClusterNode.join(config);
        store = node.store(config.parallel() + 2);
      } else {
        // The service is the file's only writer (the state lock): its entries can stay in memory.
        store =
            new RememberingSeenUidStore(
                SqliteSeenUidStore.open(config.state().file()), REMEMBERED_UIDS);
      }
      AccountWiring.adoptOldState(config, store);
      if (AccountWiring.forwards(config)) {
        new MailQueue(config.queue().dir(), Clock.systemUTC()).recover();
      }
      PopfetchMetrics metrics;
      if (config.metricsListen().isPresent()) {
        metrics = new PopfetchMetrics(Clock.systemUTC());
        server = metricsServer(config, metrics, err);
      } else {
        metrics = PopfetchMetrics.healthOnly(Clock.systemUTC());
      }
      daemon = new PopfetchDaemon(lock, store, server, metrics, configFile, trace, oauth);
      daemon.config = config;
      daemon.cluster = Optional.ofNullable(node);
      if (node != null) {
        node.metrics(metrics);
      }
      daemon.jobs = ServiceJobs.of(plan, daemon.shared());
      daemon.jobs.start();
      if (node != null) {
        node.scheduler.start(); // after this node's tasks are known: a job fired here finds its own
      }
      daemon.control = ServiceControl.listen(daemon, config, err);
      LOG.info(
          "popfetch running: {} account(s); commands on {}",
          plan.targets().size(),
          config.controlSocket());
      daemon.notifyReady();
      return daemon;
    } catch (Exception | Error e) {
      // Not started: give back the port, the store and the lock before saying why.
      if (daemon != null && daemon.jobs != null) {
        daemon.jobs.close();
      }
      if (server != null) {
        server.close();
      }
      if (node != null) {
        node.close();
      }
      if (store != null) {
        store.close();
      }
      lock.close();
      throw e;
    }
  }

  /**
   * Serves metrics on {@code metrics.listen}.
   *
   * @throws AccountRun.Exit with the configuration status, after one line, if the address cannot be
   *     listened on (in use, not an address of this host)
   */
  private static MetricsServer metricsServer(
      PopfetchConfig config, PopfetchMetrics metrics, PrintWriter err) throws AccountRun.Exit {
    HostPort l = config.metricsListen().get();
    InetSocketAddress address = l.socketAddress();
    try {
      MetricsServer server = new MetricsServer(address, metrics);
      LOG.info("metrics on http://{}/metrics, health on /health", l);
      return server;
    } catch (IOException | RuntimeException e) {
      String why =
          address.isUnresolved()
              ? "no such host"
              : AccountRun.reason(
                  e instanceof IOException io ? io : new IOException(e.getMessage()));
      err.println(
          "popfetch: metrics.listen: cannot listen on "
              + l
              + ": "
              + why
              + "; choose another address in "
              + config.source());
      err.flush();
      throw new AccountRun.Exit(ExitStatus.SYNTAX.code);
    }
  }

  /**
   * Ends the process at once: no shutdown hook, which would wait for the very job that calls it.
   */
  static final IntConsumer HALT = status -> Runtime.getRuntime().halt(status);

  /**
   * A scheduled task that reports what escapes it in one line instead of the scheduler's stack
   * trace. Running out of memory ends the service with the internal-error status, through {@code
   * halt}, so that systemd starts a fresh one: nothing after it can be trusted, and no mail is at
   * risk, since none is deleted before it is delivered.
   */
  static Runnable guarded(String name, Runnable task, IntConsumer halt) {
    return () -> {
      try {
        task.run();
      } catch (OutOfMemoryError e) {
        LOG.error(
            "{}: out of memory ({}); stopping with status {}",
            name,
            e.getMessage(),
            ExitStatus.INTERNAL.code);
        halt.accept(ExitStatus.INTERNAL.code);
      } catch (RuntimeException | Error e) {
        LOG.error("{}: internal error: {}", name, LogText.sanitize(e.toString()));
        LOG.debug("{}: internal error", name, e);
      }
    };
  }

  /** Reloads, as on SIGHUP, whenever the configuration file's content changes. */
  synchronized void watchConfig(Duration every) {
    if (watch == null) {
      watch = new ConfigFileWatch(configFile, this::reload).start(every);
    }
  }

  /** The port metrics are served on, if they are. */
  Optional<Integer> metricsPort() {
    return Optional.ofNullable(server).map(MetricsServer::port);
  }

  PopfetchMetrics metrics() {
    return metrics;
  }

  /** The jobs of the configuration in force. */
  ServiceJobs jobs() {
    return jobs;
  }

  ServiceLedger ledger() {
    return ledger;
  }

  /** This node of the cluster, if the state is shared. */
  Optional<ClusterNode> cluster() {
    return cluster;
  }

  synchronized PopfetchConfig config() {
    return config;
  }

  /** READY=1 for systemd, and its watchdog started if it asked for one. */
  private void notifyReady() {
    Watchdog.period(System.getenv(), ProcessHandle.current().pid())
        .ifPresent(period -> watchdog = Watchdog.start(notify::watchdog, period, heartbeat));
    notify.ready(ledger.summary());
  }

  /** No new polls; the running ones finish; the state is released. */
  public synchronized void stop() {
    notify.stopping();
    stopping.set(true);
    if (control != null) {
      control.close(); // no new commands; a poll asked for sees the stop like the others
    }
    if (watchdog != null) {
      watchdog.close();
    }
    if (watch != null) {
      watch.close();
    }
    try {
      jobs.close();
    } catch (Exception e) {
      LOG.warn("stopping the scheduler: {}", e.getMessage());
    }
    if (cluster.isPresent()) {
      try {
        cluster.get().close(); // this node's running polls end; the others carry on
      } catch (Exception e) {
        LOG.warn("leaving the cluster: {}", e.getMessage());
      }
    }
    if (server != null) {
      server.close();
    }
    try {
      store.close();
      lock.close();
    } catch (IOException e) {
      LOG.warn("releasing the state: {}", e.getMessage());
    }
    LOG.info("popfetch stopped");
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * A full collection, once every account has polled after a start or reload (or five minutes after
   * it, if some account has not: {@link ServiceLedger#SETTLE_WITHIN}), so that the heap those first
   * polls grew (every account polled at once) is given back now rather than at a full collection
   * that may come hours later. With the launcher's serial collector and {@code
   * -XX:-ShrinkHeapInSteps} the heap shrinks at once to what {@code -XX:MaxHeapFreeRatio} allows:
   * an idle service of 100 accounts had kept 14-15 MB of tenured generation after such a start
   * instead of 7-8 (docs/benchmarks.md, "The running service").
   */
  private static void giveBackHeap() {
    System.gc();
  }
}
