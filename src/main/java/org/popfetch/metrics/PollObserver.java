package org.popfetch.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.popfetch.fetch.Decision;
import org.popfetch.fetch.FetchObserver;
import org.popfetch.fetch.PollResult;

/**
 * Counts each finished poll in {@link PopfetchMetrics}, timed from its start, for accounts whose
 * mail goes to one kind of destination.
 */
final class PollObserver implements FetchObserver {
  private final PopfetchMetrics metrics;
  private final String destination;
  private final Clock clock;
  private final Map<String, Instant> started = new ConcurrentHashMap<>();

  PollObserver(PopfetchMetrics metrics, String destination, Clock clock) {
    this.metrics = metrics;
    this.destination = destination;
    this.clock = clock;
  }

  @Override
  public void started(String account) {
    started.put(account, clock.instant());
  }

  @Override
  public void decided(String account, Decision decision) {
    metrics.decided(account, decision.action());
  }

  @Override
  public void finished(PollResult result) {
    Instant start = started.remove(result.account());
    Duration took = start == null ? Duration.ZERO : Duration.between(start, clock.instant());
    metrics.poll(result, took, destination);
  }
}
