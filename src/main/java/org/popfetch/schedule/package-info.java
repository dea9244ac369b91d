/**
 * Quartz: one job per account on its interval or cron expression, with a little jitter, never
 * two polls of one account at once; the queue runner is a job too. The only package that
 * imports Quartz.
 */
package org.popfetch.schedule;
