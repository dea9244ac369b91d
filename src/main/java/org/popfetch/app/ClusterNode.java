package org.popfetch.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.popfetch.cluster.AdvisoryLeases;
import org.popfetch.cluster.ClusterConfigRow;
import org.popfetch.cluster.ClusterView;
import org.popfetch.config.ConfigException;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.config.Secret;
import org.popfetch.config.SecretResolver;
import org.popfetch.config.SharedState;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.fetch.Leases;
import org.popfetch.metrics.PopfetchMetrics;
import org.popfetch.schedule.ClusteredScheduler;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import org.popfetch.store.PostgresSeenUidStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as one node of a cluster: its name, its connections to the shared database, the
 * clustered scheduler, the leases it takes, the configuration the cluster follows and what the
 * cluster looks like now. Made only for a configuration whose state is shared: nothing of
 * PostgreSQL, HikariCP or the JDBC job store is loaded otherwise.
 */
final class ClusterNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  final String name;
  final PostgresConnector connector;
  final ClusteredScheduler scheduler;
  final Leases leases;
  private final AdvisoryLeases advisory;
  private final ClusterConfigRow configRow;
  private final ClusterView view;

  private final AtomicInteger leasesHeld = new AtomicInteger();
  private final AtomicBoolean mismatch = new AtomicBoolean();
  private final AtomicReference<ClusterView.Snapshot> snapshot =
      new AtomicReference<>(ClusterView.Snapshot.NONE);
  private volatile String digest = "";
  private volatile Instant configTime = Instant.EPOCH;

  private ClusterNode(
      String name, PostgresConnector connector, ClusteredScheduler scheduler, int threads) {
    this.name = name;
    this.connector = connector;
    this.scheduler = scheduler;
    // As many lease connections kept as polls run here at once: a new one for each poll cost
    // more than anything else the lease does.
    this.advisory = new AdvisoryLeases(connector, Math.max(1, threads));
    this.leases = account -> advisory.tryAcquire(account).map(this::counted);
    this.configRow = new ClusterConfigRow(connector);
    this.view = new ClusterView(connector, PostgresSchema.SCHEDULER_NAME, Clock.systemUTC());
  }

  /** This node's name: the host and the process, unique among live nodes, readable in status. */
  static String nodeName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /**
   * The database connector for {@code shared}: its password is read from its secret source at each
   * new connection (the pools' and each lease's), so a password rotated in the file, command or
   * variable is used from the next connection on, without a restart.
   */
  static PostgresConnector connector(SharedState shared, String node) {
    return new PostgresConnector(shared.url(), shared.user(), password(shared.password()), node);
  }

  /** Reads {@code secret} afresh at each call; a failure names the key, never the value. */
  static PostgresConnector.Password password(Optional<Secret> secret) {
    if (secret.isEmpty()) {
      return PostgresConnector.Password.NONE;
    }
    Secret s = secret.get();
    return () -> {
      try {
        return Optional.of(SecretResolver.resolve(s));
      } catch (ConfigException e) {
        throw new IOException("state.password: " + e.getMessage(), e);
      }
    };
  }

  /**
   * Prepares the database (creating or migrating its tables, once in the cluster) and returns the
   * versions before and after.
   */
  static PostgresSchema.Versions prepare(PostgresConnector connector) throws IOException {
    return PostgresSchema.prepare(connector);
  }

  /** Joins the cluster: the database prepared, the scheduler made (not started). */
  static ClusterNode join(PopfetchConfig config) throws Exception {
    return join(config.state().shared().orElseThrow(), config.parallel());
  }

  /** Joins the cluster of {@code shared} with {@code threads} poll threads. */
  static ClusterNode join(SharedState shared, int threads) throws Exception {
    String name = nodeName();
    PostgresConnector connector = connector(shared, name);
    prepare(connector);
    // Worker threads plus the scheduler, cluster manager and misfire handler (Quartz's advice).
    // The scheduler closes this pool when it shuts down.
    // Its sessions are ended by the server if they stall inside a transaction (a frozen node's).
    DataSource schedulerPool =
        new PostgresConnector(
                ClusteredScheduler.quartzUrl(connector.url()),
                connector.user(),
                connector.password(),
                connector.node())
            .dataSource("scheduler", Math.max(1, threads) + 3);
    ClusteredScheduler scheduler;
    try {
      scheduler =
          new ClusteredScheduler(
              new ClusteredScheduler.Settings(
                  shared.url(),
                  shared.user(),
                  Optional.empty(),
                  PostgresSchema.SCHEDULER_NAME,
                  name,
                  shared.checkIn(),
                  threads),
              schedulerPool);
    } catch (Exception | Error e) {
      if (schedulerPool instanceof AutoCloseable pool) {
        pool.close();
      }
      throw e;
    }
    LOG.info("joining the cluster on {} as node {}", shared.url(), name);
    return new ClusterNode(name, connector, scheduler, threads);
  }

  /** The seen-UID store every node shares. */
  PostgresSeenUidStore store(int connections) {
    return PostgresSeenUidStore.open(connector, connections);
  }

  private Lease counted(Lease lease) {
    leasesHeld.incrementAndGet();
    return new Lease() {
      private final AtomicBoolean closed = new AtomicBoolean();

      @Override
      public void check() throws LostException {
        lease.check();
      }

      @Override
      public void close() {
        if (closed.compareAndSet(false, true)) {
          leasesHeld.decrementAndGet();
          lease.close();
        }
      }
    };
  }

  /** The SHA-256 of the configuration file's bytes: the same file on every node, the same text. */
  static String digest(Path configFile) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(configFile)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Gives the scheduler this node's tasks, and moves the cluster's schedules to this node's
   * configuration if it is the newest (only the node that changes the cluster's configuration
   * reschedules).
   */
  void follow(
      Path configFile, Map<String, Runnable> tasks, Map<String, ClusteredScheduler.Spec> specs)
      throws IOException {
    scheduler.tasks(tasks);
    digest = digest(configFile);
    configTime = Files.getLastModifiedTime(configFile).toInstant();
    Map<String, ClusteredScheduler.Spec> wanted = new LinkedHashMap<>(specs);
    ClusterConfigRow.Outcome outcome =
        configRow.converge(
            digest,
            configTime,
            name,
            () -> {
              int changed = scheduler.reconcile(wanted);
              LOG.info(
                  "the cluster follows this node's configuration now: {} schedule(s) added,"
                      + " changed or removed",
                  changed);
            });
    mismatch.set(false);
    if (outcome == ClusterConfigRow.Outcome.OLDER) {
      checkConfig();
    }
  }

  /**
   * Compares this node's configuration with the cluster's; says so once when it starts to differ,
   * and once when it agrees again.
   */
  void checkConfig() {
    try {
      Optional<ClusterConfigRow.Current> row = configRow.read();
      boolean differs = row.isPresent() && !row.get().digest().equals(digest);
      if (differs && mismatch.compareAndSet(false, true)) {
        LOG.error(
            "this node's configuration differs from the cluster's: the cluster follows the one"
                + " node {} brought (written {}, sha256 {}), this node read one written {} (sha256"
                + " {}); the schedules follow the cluster's; give every node the same file",
            row.get().node(),
            row.get().configTime(),
            row.get().digest().substring(0, 12),
            configTime,
            digest.substring(0, 12));
      } else if (!differs && mismatch.compareAndSet(true, false)) {
        LOG.info("this node's configuration is the cluster's again");
      }
    } catch (IOException e) {
      LOG.warn("cluster: {}", e.getMessage());
    }
  }

  /** Reads the nodes and leases again, for the status and the metrics. */
  void refresh(Map<String, AccountKey> accounts, PopfetchMetrics metrics) {
    try {
      ClusterView.Snapshot s = view.read(accounts);
      snapshot.set(s);
      metrics.clusterSnapshot(samples(s), s.polling());
    } catch (IOException e) {
      LOG.warn("cluster: {}", e.getMessage());
    }
    checkConfig();
  }

  /** The nodes of {@code s} as the metrics show them, by name. */
  static Map<String, PopfetchMetrics.ClusterNodeSample> samples(ClusterView.Snapshot s) {
    Map<String, PopfetchMetrics.ClusterNodeSample> nodes = new LinkedHashMap<>();
    s.nodes()
        .forEach(
            n ->
                nodes.put(
                    n.name(),
                    new PopfetchMetrics.ClusterNodeSample(
                        n.lastCheckIn(), n.state() == ClusterView.State.CHECKED_IN)));
    return nodes;
  }

  /** Shows the cluster in the metrics. */
  void metrics(PopfetchMetrics metrics) {
    metrics.cluster(
        () -> mismatch.get() ? 1 : 0, () -> snapshot.get().nodes().size(), leasesHeld::get);
  }

  ClusterView.Snapshot snapshot() {
    return snapshot.get();
  }

  boolean configMismatch() {
    return mismatch.get();
  }

  @Override
  public void close() throws Exception {
    try {
      scheduler.close();
    } finally {
      advisory.close();
    }
  }
}
