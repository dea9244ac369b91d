package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollResult;
import org.popfetch.metrics.MetricsServer;
import org.popfetch.metrics.PopfetchMetrics;
import org.popfetch.net.ProtocolTrace;
import org.popfetch.queue.MailQueue;
import org.popfetch.queue.QueueRunner;
import org.popfetch.fetch.PollFailure;
import org.popfetch.schedule.Backoff;
import org.popfetch.schedule.PollScheduler;
import org.popfetch.store.SqliteSeenUidStore;
import org.popfetch.store.StateLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: every account polled on its schedule, the queue run every minute, metrics and
 * health served when configured. {@link #stop()} stops starting polls, lets the running ones
 * finish, and releases the state.
 */
public final class PopfetchDaemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PopfetchDaemon.class);
  static final Duration QUEUE_INTERVAL = Duration.ofMinutes(1);

  private final StateLock lock;
  private final SqliteSeenUidStore store;
  private final PollScheduler scheduler;
  private final MetricsServer server;
  private final PopfetchMetrics metrics;

  private PopfetchDaemon(StateLock lock, SqliteSeenUidStore store, PollScheduler scheduler, MetricsServer server, PopfetchMetrics metrics) {
    this.lock = lock;
    this.store = store;
    this.scheduler = scheduler;
    this.server = server;
    this.metrics = metrics;
  }

  /**
   * Starts the service for a configuration.
   *
   * @throws AccountRun.Exit after printing why, if it cannot start
   */
  static PopfetchDaemon start(Path configFile, boolean trace, PrintWriter err) throws AccountRun.Exit, Exception {
    CommonOptions options = new CommonOptions();
    options.config = configFile;
    options.trace = trace;
    AccountRun.Plan plan = AccountRun.plan(options, java.util.List.of(), err);
    PopfetchConfig config = plan.config();
    var routes = AccountWiring.routes(config);
    StateLock lock = StateLock.tryAcquire(config.stateUrl()).orElseThrow(() -> {
      err.println("popfetch: another popfetch is using the state " + config.stateUrl());
      err.flush();
      return new AccountRun.Exit(ExitStatus.LOCKED.code);
    });
    SqliteSeenUidStore store = SqliteSeenUidStore.open(config.stateUrl());
    MailQueue queue = null;
    if (AccountWiring.forwards(config)) {
      queue = new MailQueue(config.queue().dir(), Clock.systemUTC());
      queue.recover();
    }
    PopfetchMetrics metrics = new PopfetchMetrics(Clock.systemUTC());
    MetricsServer server = null;
    if (config.metricsListen().isPresent()) {
      String l = config.metricsListen().get();
      server = new MetricsServer(new InetSocketAddress(l.substring(0, l.lastIndexOf(':')), Integer.parseInt(l.substring(l.lastIndexOf(':') + 1))), metrics);
      LOG.info("metrics on http://{}/metrics, health on /health", l);
    }
    PollScheduler scheduler = new PollScheduler(config.parallel() + 1);
    MailQueue q = queue;
    for (AccountRun.Target t : plan.targets()) {
      metrics.account(t.config().name(), t.config().interval());
      Backoff backoff = new Backoff(t.config().name(), t.config().interval());
      scheduler.schedule(t.config().name(), t.config().cron(), t.config().interval(), () -> {
        Instant started = Instant.now();
        if (!backoff.due(started)) {
          return; // a refused login or a busy mailbox: give the server a rest
        }
        PollResult r = AccountRun.pollOnce(t, config, store, q, FetchObserver.NONE, trace);
        metrics.poll(r, Duration.between(started, Instant.now()));
        if (r.failure().isEmpty()) {
          backoff.succeeded();
        } else if (r.failure().get().kind() == PollFailure.Kind.AUTH || r.failure().get().kind() == PollFailure.Kind.SERVER_BUSY) {
          backoff.failed(r.failure().get().kind() == PollFailure.Kind.AUTH ? "login refused" : "mailbox busy", Instant.now());
        }
      });
    }
    if (queue != null) {
      QueueRunner runner = new QueueRunner(queue, routes, AccountWiring.queuePolicy(config), Clock.systemUTC(), ProtocolTrace.NONE);
      scheduler.schedule("queue", Optional.empty(), QUEUE_INTERVAL, () -> {
        try {
          runner.run(false);
          var entries = q.entries();
          Duration oldest = entries.stream().map(s -> Duration.between(s.entry().arrival(), Instant.now())).max(Duration::compareTo).orElse(Duration.ZERO);
          metrics.queue(entries.size(), oldest);
        } catch (IOException | RuntimeException e) {
          LOG.error("queue run failed: {}", e.getMessage());
        }
      });
    }
    scheduler.start();
    LOG.info("popfetch running: {} account(s)", plan.targets().size());
    return new PopfetchDaemon(lock, store, scheduler, server, metrics);
  }

  /** The port metrics are served on, if they are. */
  Optional<Integer> metricsPort() {
    return Optional.ofNullable(server).map(MetricsServer::port);
  }

  PopfetchMetrics metrics() {
    return metrics;
  }

  /** No new polls; the running ones finish; the state is released. */
  public void stop() {
    try {
      scheduler.close();
    } catch (Exception e) {
      LOG.warn("stopping the scheduler: {}", e.getMessage());
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
}
