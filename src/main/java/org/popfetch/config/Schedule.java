package org.popfetch.config;

import java.time.Duration;
import org.popfetch.schedule.PollScheduler;

/** When an account is polled: every so often, or at the times a cron expression names. */
public sealed interface Schedule {
  /** The interval of an account that names neither an interval nor a cron expression. */
  Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /**
   * The interval a refused poll's backoff grows from and the metrics report: the configured one, or
   * {@link #DEFAULT_INTERVAL} for a cron schedule, whose gaps may differ from one run to the next.
   */
  Duration interval();

  /** Polls every {@code every}, the first time after a random offset. */
  record Interval(Duration every) implements Schedule {
    @Override
    public Duration interval() {
      return every;
    }
  }

  /** Polls at the times a Quartz cron expression names. */
  record Cron(String expression) implements Schedule {
    /**
     * @throws IllegalArgumentException if the expression does not parse or never fires again, with
     *     a message fit to follow "KEY: " (see {@link PollScheduler#checkCron})
     */
    public Cron {
      PollScheduler.checkCron(expression);
    }

    @Override
    public Duration interval() {
      return DEFAULT_INTERVAL;
    }
  }
}
