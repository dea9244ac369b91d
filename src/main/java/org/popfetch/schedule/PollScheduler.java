package org.popfetch.schedule;

import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.popfetch.net.LogText;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.DirectSchedulerFactory;
import org.quartz.simpl.RAMJobStore;
import org.quartz.simpl.SimpleJobFactory;
import org.quartz.simpl.SimpleThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on schedules, in a fixed pool of threads. A task is never started while its previous
 * run is still going (a slow poll is not overtaken by the next one).
 */
public final class PollScheduler implements AutoCloseable {
  /** Spreads first polls over up to this long, so many accounts do not start in the same second. */
  static final Duration MAX_JITTER = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(PollScheduler.class);

  /**
   * The service's own tasks (the queue run, the heartbeat) are kept apart from the accounts, whose
   * names are the admin's to choose: an account may be called "queue".
   */
  private static final String SERVICE = "popfetch-service";

  private static final String ACCOUNTS = "accounts";

  private final Scheduler scheduler;

  public PollScheduler(int threads) throws SchedulerException {
    // Made directly rather than by StdSchedulerFactory, which sets each part up from properties
    // through java.beans introspection (some 40 classes of the JDK's, kept in the service's memory
    // for as long as it runs) and runs each job through a shell that looks for a JTA annotation
    // on the job's class at every firing. The parts are the same: a pool of threads named after
    // the scheduler, the in-memory job store with its defaults.
    String name = "popfetch-" + UUID.randomUUID();
    DirectSchedulerFactory factory = DirectSchedulerFactory.getInstance();
    factory.createScheduler(
        name,
        "NON_CLUSTERED",
        new SimpleThreadPool(Math.max(1, threads), Thread.NORM_PRIORITY),
        new RAMJobStore());
    scheduler = factory.getScheduler(name);
    // Quartz's default job factory looks, at every firing, for a bean setter of each entry of the
    // job's data map (java.beans introspection, a method name built per entry): the task is read
    // from the map by the job itself, so the plain factory, which only makes the job, will do.
    scheduler.setJobFactory(new SimpleJobFactory());
  }

  /**
   * Checks a Quartz cron expression as {@link #schedule} will use it, so that a configuration is
   * refused when it is read rather than when the service starts.
   *
   * @throws IllegalArgumentException with a message fit to follow "KEY: ", if the expression does
   *     not parse or no time after now matches it (a 30th of February)
   */
  public static void checkCron(String expression) {
    Date next;
    try {
      next = new CronExpression(expression).getNextValidTimeAfter(new Date());
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException(
          "not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week"
              + " [year], e.g. \"0 */5 * * * ?\"): "
              + e.getMessage());
    }
    if (next == null) {
      throw new IllegalArgumentException("\"" + expression + "\" never fires");
    }
  }

  /**
   * Runs {@code task} every {@code interval}, starting after a random fraction of the interval (at
   * most {@link #MAX_JITTER}). A run missed while the previous one went on is skipped.
   */
  public void every(String name, Duration interval, Runnable task) throws SchedulerException {
    every(ACCOUNTS, name, interval, task);
  }

  /**
   * Runs one of the service's own tasks every {@code interval}, as {@link #every} runs an
   * account's; its name cannot clash with an account's.
   */
  public void serviceTask(String name, Duration interval, Runnable task) throws SchedulerException {
    every(SERVICE, name, interval, task);
  }

  private void every(String group, String name, Duration interval, Runnable task)
      throws SchedulerException {
    long jitter =
        ThreadLocalRandom.current()
            .nextLong(Math.max(1, Math.min(interval.toMillis(), MAX_JITTER.toMillis())));
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(name, group)
            .startAt(new Date(System.currentTimeMillis() + jitter))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(interval.toMillis())
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    scheduler.scheduleJob(job(group, name, task), trigger);
  }

  /**
   * Runs {@code task} at the times a Quartz cron expression names (checked before by {@link
   * #checkCron}); a time missed while the previous run went on is skipped.
   */
  public void cron(String name, String expression, Runnable task) throws SchedulerException {
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(name, ACCOUNTS)
            .withSchedule(
                CronScheduleBuilder.cronSchedule(expression)
                    .withMisfireHandlingInstructionDoNothing())
            .build();
    scheduler.scheduleJob(job(ACCOUNTS, name, task), trigger);
  }

  private static JobDetail job(String group, String name, Runnable task) {
    JobDataMap data = new JobDataMap();
    data.put("task", task);
    return JobBuilder.newJob(TaskJob.class).withIdentity(name, group).usingJobData(data).build();
  }

  public void start() throws SchedulerException {
    scheduler.start();
  }

  /** Stops starting tasks and waits for the running ones to finish. */
  @Override
  public void close() throws SchedulerException {
    scheduler.shutdown(true);
  }

  /**
   * Runs the task it was given; Quartz keeps two runs of one job apart. Whatever the task throws,
   * errors included, ends here in one log line: the job returns normally, so Quartz marks it
   * finished, its next trigger runs, and a stop waits for nothing that is not running.
   */
  @DisallowConcurrentExecution
  public static final class TaskJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      try {
        ((Runnable) context.getMergedJobDataMap().get("task")).run();
      } catch (Throwable e) {
        LOG.error(
            "{}: run failed, the next one goes ahead as scheduled: {}: {}",
            context.getJobDetail().getKey().getName(),
            e.getClass().getSimpleName(),
            LogText.sanitize(String.valueOf(e.getMessage())));
      }
    }
  }
}
