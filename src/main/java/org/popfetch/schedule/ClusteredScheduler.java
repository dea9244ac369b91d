package org.popfetch.schedule;

import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.popfetch.net.LogText;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
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
 * its job run elsewhere while it still runs it): the task takes the account's lease first.
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
   */
  public record Settings(
      String url,
      Optional<String> user,
      Optional<String> password,
      String schedulerName,
      String node,
      Duration checkIn,
      int threads) {}

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

  private final Scheduler scheduler;
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
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", s.schedulerName());
    p.setProperty("org.quartz.scheduler.instanceId", s.node());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(Math.max(1, s.threads())));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", "shared");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval", String.valueOf(s.checkIn().toMillis()));
    // Without it two nodes can acquire the same trigger (quartz #107, #29).
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    // Strings only in the job data: nothing Java-serialised in the shared database.
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.dbRetryInterval", "2000");
    p.setProperty("org.quartz.dataSource.shared.provider", "hikaricp");
    p.setProperty("org.quartz.dataSource.shared.driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource.shared.URL", s.url());
    s.user().ifPresent(u -> p.setProperty("org.quartz.dataSource.shared.user", u));
    s.password().ifPresent(pw -> p.setProperty("org.quartz.dataSource.shared.password", pw));
    // Worker threads plus the scheduler, cluster manager and misfire handler (Quartz's advice).
    p.setProperty(
        "org.quartz.dataSource.shared.maxConnections",
        String.valueOf(Math.max(1, s.threads()) + 3));
    p.setProperty("org.quartz.dataSource.shared.validationQuery", "SELECT 1");
    connections.ifPresent(pool -> PooledConnections.use(pool, p));
    scheduler = new StdSchedulerFactory(p).getScheduler();
    scheduler.getContext().put(TASKS, tasks);
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
    int changed = 0;
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
      scheduler.scheduleJob(job, Set.of(trigger(key, e.getValue(), spec)), true);
      changed++;
    }
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

  /** Runs this node's task of the job's name; one run of a job at a time in the cluster. */
  @DisallowConcurrentExecution
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
