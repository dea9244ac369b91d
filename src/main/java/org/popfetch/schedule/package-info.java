/**
 * When accounts are polled and what follows from a poll: Quartz runs one job per account on its
 * interval or cron expression, with a little jitter, never two polls of one account at once; the
 * queue runner is a job too. {@link org.popfetch.schedule.AccountPolling} is one poll of one
 * account with its backoff and login-failure notice, used by the service's jobs and by a one-shot
 * {@code poll} alike; {@link org.popfetch.schedule.ParallelRun} runs a one-shot pass under the
 * per-server cap. The only package that imports Quartz.
 */
package org.popfetch.schedule;
