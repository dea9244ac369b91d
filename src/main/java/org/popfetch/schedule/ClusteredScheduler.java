package org.popfetch.schedule;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.popfetch.net.LogText;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts' schedules shared by every node: Quartz's JDBC job store on the shared PostgreSQL,
 * clustered. One job per account, fired on one node at a time; a node that stops checking in has
 * its jobs taken over by the others (those it was running at once, since each asks for recovery).
 * What a job runs is this node's own task of that name ({@link #tasks}): the triggers live in the
 * database, the work in each node.
 *
 * <p>Quartz alone does not keep two nodes out of one mailbox (a frozen node is taken for dead and
 * its job run elsewhere while it still runs it): the task takes the account's lease first, and a
 * firing that comes while the account's last poll still runs (a long poll, or the back-to-back
 * firings of a trigger catching up after an outage) finds the lease held and is skipped.
 *
 * <p>Schedules change only through {@link #reconcile}, called by the one node that moves the
 * cluster to a new configuration; nodes that start or reload with the cluster's configuration leave
 * the triggers, and their next fire times, alone.
 */
public final class ClusteredScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusteredScheduler.class);
  private static final String TASKS = "popfetch.tasks";
  private static final String SPEC = "schedule";

  /** The group every account's job and trigger is in. */
  public static final String ACCOUNTS = "accounts";

  /**
   * How the scheduler reaches the database and names itself.
   *
   * @param schedulerName the same on every node (Quartz's SCHED_NAME)
   * @param node this node's name, unique among live nodes
   * @param threads how many polls this node runs at once
   */
  public record Settings(
      String url,
      Optional<String> user,
      Optional<String> password,
      String schedulerName,
      String node,
      Duration checkIn,
      int threads) {}

  /**
   * How long a Quartz session may sit inside a transaction without a word from its node before the
   * server ends it. Quartz's transactions are a few statements with no waiting in between; a node
   * frozen in one (a stopped VM, a long pause) would otherwise keep the trigger lock, and with it
   * every node's polls and the failover of that very node, for as long as it is frozen.
   */
  static final Duration STALLED_TRANSACTION = Duration.ofSeconds(5);

  /** An account's schedule as the triggers store it: an interval or a cron expression. */
  public record Spec(Optional<Duration> every, Optional<String> cron) {
    public static Spec every(Duration interval) {
      return new Spec(Optional.of(interval), Optional.empty());
    }

    public static Spec cron(String expression) {
      return new Spec(Optional.empty(), Optional.of(expression));
    }

    String text() {
      return every.map(d -> "every " + d.toMillis() + "ms").orElseGet(() -> "cron " + cron.get());
    }
  }

  private static final AtomicInteger DATA_SOURCES = new AtomicInteger();

  private final Scheduler scheduler;
  private final String dataSource;
  private final Map<String, Runnable> tasks = new ConcurrentHashMap<>();

  /**
   * A scheduler whose connections come from a pool of Quartz's, made from {@code s}'s URL, user and
   * password (read once: a rotated password needs a restart).
   */
  public ClusteredScheduler(Settings s) throws SchedulerException {
    this(s, Optional.empty());
  }

  /**
   * A scheduler whose connections come from {@code connections} (the node's own pool, whose new
   * connections read the password afresh, so a rotated one is taken without a restart), not from
   * {@code s}'s URL, user and password; the scheduler closes it when it shuts down.
   */
  public ClusteredScheduler(Settings s, DataSource connections) throws SchedulerException {
    this(s, Optional.of(connections));
  }

  private ClusteredScheduler(Settings s, Optional<DataSource> connections)
      throws SchedulerException {
    int threads = Math.max(1, s.threads());
    dataSource = "popfetch" + DATA_SOURCES.incrementAndGet();
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", s.schedulerName());
    p.setProperty("org.quartz.scheduler.instanceId", s.node());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    // A node learns of triggers another node added only when it looks (Quartz signals its own
    // node alone): look again after one check-in, not after Quartz's default 30 s, or a node that
    // started before the accounts were scheduled sits idle for half a minute.
    p.setProperty(
        "org.quartz.scheduler.idleWaitTime",
        String.valueOf(Math.max(1000, s.checkIn().toMillis())));
    // Quartz's one trigger per acquisition: taking a node's threads' worth at once was tried, and
    // the nodes then finished their polls in groups of that many, seconds apart, with no sign
    // that the cluster polled more.
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval", String.valueOf(s.checkIn().toMillis()));
    // Without it two nodes can acquire the same trigger (quartz #107, #29).
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    // A trigger later than this is not acquired but left to the misfire handler, which moves it
    // to its next time, 20 at a time, on the same lock: lower, a backlog turns into a storm of
    // misfire transactions that crowd out the firings (seen with 10 s).
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    // Strings only in the job data: nothing Java-serialised in the shared database.
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.dbRetryInterval", "2000");
    String prefix = "org.quartz.dataSource." + dataSource + ".";
    p.setProperty(prefix + "provider", "hikaricp");
    p.setProperty(prefix + "driver", "org.postgresql.Driver");
    p.setProperty(prefix + "URL", quartzUrl(s.url()));
    s.user().ifPresent(u -> p.setProperty(prefix + "user", u));
    s.password().ifPresent(pw -> p.setProperty(prefix + "password", pw));
    // Worker threads plus the scheduler, cluster manager and misfire handler (Quartz's advice).
    p.setProperty(prefix + "maxConnections", String.valueOf(threads + 3));
    p.setProperty(prefix + "validationQuery", "SELECT 1");
    connections.ifPresent(pool -> PooledConnections.use(pool, p, dataSource));
    StdSchedulerFactory factory = new StdSchedulerFactory(p);
    scheduler = factory.getScheduler();
    // Quartz keeps one scheduler per name in the process and would hand this one out again; each
    // instance here is a node of its own (tests run several in one JVM), never looked up by name.
    SchedulerRepository.getInstance().remove(s.schedulerName());
    scheduler.getContext().put(TASKS, tasks);
  }

  /**
   * The URL Quartz's connections use: the configured one, with the server told to end a session
   * that stalls inside a transaction ({@link #STALLED_TRANSACTION}). Given at connection start, it
   * holds for the whole session, whatever a transaction rolls back.
   */
  public static String quartzUrl(String url) {
    String option =
        URLEncoder.encode(
                "-c idle_in_transaction_session_timeout=" + STALLED_TRANSACTION.toMillis(),
                StandardCharsets.UTF_8)
            .replace("+", "%20");
    return url + (url.contains("?") ? "&" : "?") + "options=" + option;
  }

  /**
   * The name under which Quartz keeps this scheduler's connections ({@code DBConnectionManager}).
   */
  String dataSource() {
    return dataSource;
  }

  /**
   * This node's work from now on, by account name, replacing what it had: a job fired here for an
   * account this node does not know is logged and skipped.
   */
  public void tasks(Map<String, Runnable> byName) {
    tasks.keySet().retainAll(byName.keySet());
    tasks.putAll(byName);
  }

  /**
   * Makes the cluster's schedules exactly {@code wanted}: a job for each account whose schedule is
   * new or changed (its first run after a random part of the interval, at most 30 s), none for an
   * account no longer configured; an unchanged account's trigger is left as it is.
   *
   * @return how many jobs were added, changed or removed
   */
  public int reconcile(Map<String, Spec> wanted) throws SchedulerException {
    Map<JobDetail, Set<? extends Trigger>> scheduled = new LinkedHashMap<>();
    for (Map.Entry<String, Spec> e : wanted.entrySet()) {
      TriggerKey key = TriggerKey.triggerKey(e.getKey(), ACCOUNTS);
      Trigger existing = scheduler.getTrigger(key);
      String spec = e.getValue().text();
      if (existing != null && spec.equals(existing.getJobDataMap().getString(SPEC))) {
        continue;
      }
      JobDetail job =
          JobBuilder.newJob(ClusterJob.class)
              .withIdentity(e.getKey(), ACCOUNTS)
              .requestRecovery(true)
              .storeDurably(false)
              .build();
      scheduled.put(job, Set.of(trigger(key, e.getValue(), spec)));
    }
    // All in one transaction on the cluster's trigger lock, not one each: a cluster's first start
    // schedules every account.
    if (!scheduled.isEmpty()) {
      scheduler.scheduleJobs(scheduled, true);
    }
    int changed = scheduled.size();
    for (JobKey job : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(ACCOUNTS))) {
      if (!wanted.containsKey(job.getName())) {
        scheduler.deleteJob(job);
        changed++;
      }
    }
    return changed;
  }

  private static Trigger trigger(TriggerKey key, Spec spec, String text) {
    TriggerBuilder<Trigger> b =
        TriggerBuilder.newTrigger().withIdentity(key).usingJobData(SPEC, text);
    if (spec.every().isPresent()) {
      long ms = spec.every().get().toMillis();
      long jitter =
          ThreadLocalRandom.current()
              .nextLong(Math.max(1, Math.min(ms, PollScheduler.MAX_JITTER.toMillis())));
      return b.startAt(new Date(System.currentTimeMillis() + jitter))
          .withSchedule(
              SimpleScheduleBuilder.simpleSchedule()
                  .withIntervalInMilliseconds(ms)
                  .repeatForever()
                  // After an outage, the next poll on time: no burst of missed ones.
                  .withMisfireHandlingInstructionNextWithRemainingCount())
          .build();
    }
    return b.withSchedule(
            CronScheduleBuilder.cronSchedule(spec.cron().get())
                .withMisfireHandlingInstructionDoNothing())
        .build();
  }

  public void start() throws SchedulerException {
    scheduler.start();
  }

  /** Stops starting jobs here and waits for the running ones; the others carry on. */
  @Override
  public void close() throws SchedulerException {
    scheduler.shutdown(true);
  }

  /**
   * Runs this node's task of the job's name. Quartz is not asked to keep a job's runs apart
   * ({@code @DisallowConcurrentExecution}): it cannot across a frozen node, so the account's lease
   * does, and the task that finds it held skips. Quartz's own guard marked the job's triggers
   * blocked at each firing and free again at each end, in the transactions every node serialises
   * on: without it three nodes fired 31 to 48 % more jobs a second (65 to 97 at load 3, 55 to 72 at
   * load 5 to 6, 40 to 55 at load 8 to 9; bench.SchedulerFiringBenchmark, side by side), with the
   * same three transactions per firing.
   */
  public static final class ClusterJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      String name = context.getJobDetail().getKey().getName();
      try {
        @SuppressWarnings("unchecked")
        Map<String, Runnable> tasks =
            (Map<String, Runnable>) context.getScheduler().getContext().get(TASKS);
        Runnable task = tasks.get(name);
        if (task == null) {
          LOG.warn(
              "{}: scheduled by the cluster but not in this node's configuration; skipped here",
              LogText.sanitize(name));
          return;
        }
        task.run();
      } catch (Throwable e) {
        LOG.error(
            "{}: run failed, the next one goes ahead as scheduled: {}: {}",
            LogText.sanitize(name),
            e.getClass().getSimpleName(),
            LogText.sanitize(String.valueOf(e.getMessage())));
      }
    }
  }
}
