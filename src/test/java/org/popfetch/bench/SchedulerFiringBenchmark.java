package org.popfetch.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.popfetch.schedule.ClusteredScheduler;
import org.popfetch.store.PostgresConnector;
import org.popfetch.store.PostgresSchema;
import org.popfetch.testing.PostgresInstance;

/**
 * How many jobs a second the clustered scheduler alone fires: several nodes in this JVM on one
 * PostgreSQL, far more jobs due than they can fire, each job a short sleep in place of a poll, so
 * that the shared trigger lock, not the work, sets the rate. Also how many transactions the
 * database committed per firing.
 *
 * <p>Arguments: [NODES=3] [JOBS=3000] [JOB_MS=20] [WINDOW_S=20]; each job is due every 10 s, and
 * each node runs 8 at once. Needs PostgreSQL (install-peers.sh); run it with the class path that
 * bench-cluster.sh builds.
 */
public final class SchedulerFiringBenchmark {
  private SchedulerFiringBenchmark() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    long jobMillis = args.length > 2 ? Long.parseLong(args[2]) : 20;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    try (PostgresInstance pg = PostgresInstance.start()) {
      String url = pg.createDatabase();
      String database = url.substring(url.lastIndexOf('/') + 1);
      PostgresSchema.prepare(
          new PostgresConnector(url, Optional.of(PostgresInstance.USER), Optional.empty(), "b"));
      AtomicLong fired = new AtomicLong();
      Map<String, Runnable> tasks = new LinkedHashMap<>();
      Map<String, ClusteredScheduler.Spec> specs = new LinkedHashMap<>();
      Runnable job =
          () -> {
            fired.incrementAndGet();
            try {
              Thread.sleep(jobMillis); // in place of a poll
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      for (int i = 0; i < jobs; i++) {
        tasks.put("j" + i, job);
        specs.put("j" + i, ClusteredScheduler.Spec.every(Duration.ofSeconds(10)));
      }
      List<ClusteredScheduler> cluster = new ArrayList<>();
      try {
        for (int n = 0; n < nodes; n++) {
          ClusteredScheduler s =
              new ClusteredScheduler(
                  new ClusteredScheduler.Settings(
                      url,
                      Optional.of(PostgresInstance.USER),
                      Optional.empty(),
                      PostgresSchema.SCHEDULER_NAME,
                      "node" + n,
                      Duration.ofSeconds(1),
                      8));
          s.tasks(tasks);
          cluster.add(s);
        }
        cluster.get(0).reconcile(specs);
        for (ClusteredScheduler s : cluster) {
          s.start();
        }
        // Warm-up: the first firings come after a random part of the interval.
        Thread.sleep(15_000);
        long commitsBefore = commits(pg, database);
        long firedBefore = fired.get();
        long start = System.nanoTime();
        Thread.sleep(window * 1000L);
        long firings = fired.get() - firedBefore;
        double seconds = (System.nanoTime() - start) / 1e9;
        long commits = commits(pg, database) - commitsBefore;
        System.out.printf(
            Locale.ROOT,
            "%d node(s), %d jobs every 10 s, %d ms each: %.1f firings/s (%d in %.1f s),"
                + " %.1f transactions per firing (load %s)%n",
            nodes,
            jobs,
            jobMillis,
            firings / seconds,
            firings,
            seconds,
            firings == 0 ? 0 : commits / (double) firings,
            ClusterBenchmark.load());
      } finally {
        for (ClusteredScheduler s : cluster) {
          s.close();
        }
      }
    }
  }

  private static long commits(PostgresInstance pg, String database) throws Exception {
    return Long.parseLong(
        pg.psql(
                database,
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            .strip());
  }
}
