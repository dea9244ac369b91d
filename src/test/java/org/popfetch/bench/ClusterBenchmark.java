package org.popfetch.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.popfetch.cluster.AdvisoryLeases;
import org.popfetch.fetch.AccountKey;
import org.popfetch.fetch.Lease;
import org.popfetch.store.PostgresConnector;
import org.popfetch.testing.DovecotServer;
import org.popfetch.testing.PopfetchNode;
import org.popfetch.testing.PostgresInstance;
import org.popfetch.testing.RecordingPop3Proxy;
import org.popfetch.testing.RecordingPop3Proxy.Session;
import org.popfetch.testing.RefusingPort;
import org.popfetch.testing.TestPki;

/**
 * Accounts polled per second by 1, 2 and 3 {@code popfetch run} nodes on one PostgreSQL, against a
 * Dovecot behind a proxy that adds network latency, so that polls wait on the network as real ones
 * do; and one node with SQLite beside one with PostgreSQL, for what the shared state and the
 * per-account lease add to a poll.
 *
 * <p>More accounts are due than the nodes can poll (each every 10 s), so the rate is the cluster's
 * capacity, not the schedule's. The window starts once every account was polled once. A poll is
 * counted when its session ends with QUIT, as the proxy saw it; its duration is from the login to
 * the end of the connection.
 *
 * <p>Arguments: [ACCOUNTS=600] [LATENCY_MS=50] [WINDOW_S=30]. Needs root, Dovecot and PostgreSQL:
 * run it with src/test/scripts/bench-cluster.sh.
 */
public final class ClusterBenchmark {
  private ClusterBenchmark() {}

  /**
   * One measurement over the window: polls per second, the mean POP3 session, and with one node the
   * mean poll as popfetch times it (popfetch_poll_duration: lease and state included).
   */
  record Result(
      String what,
      int polls,
      double perSecond,
      Duration meanSession,
      Duration meanPoll,
      String load) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%-28s %6d polls  %7.2f polls/s  mean session %5d ms  mean poll %s  (load %s)",
          what,
          polls,
          perSecond,
          meanSession.toMillis(),
          meanPoll == null ? "-" : meanPoll.toMillis() + " ms",
          load);
    }
  }

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    Duration latency = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 50);
    Duration window = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 30);
    Path dir = Files.createTempDirectory("popfetch-cluster-bench-");
    Map<String, String> users = new LinkedHashMap<>();
    for (int i = 0; i < accounts; i++) {
      users.put("a" + i, "pw-a" + i);
    }
    users.put("sink", "pw-sink");
    List<Result> results = new ArrayList<>();
    List<String> leaseCost = new ArrayList<>();
    System.out.println("load at the start: " + load());
    try (DovecotServer dovecot =
            DovecotServer.start(users, TestPki.create("bench").issue("127.0.0.1"));
        RecordingPop3Proxy proxy = new RecordingPop3Proxy(dovecot.pop3Port(), latency);
        PostgresInstance pg = PostgresInstance.start()) {
      String leaseDb = pg.createDatabase();
      for (int kept : List.of(0, AdvisoryLeases.DEFAULT_IDLE)) {
        leaseCost.add(leaseCost(leaseDb, LEASE_ROUNDS, kept));
        System.out.println(leaseCost.get(leaseCost.size() - 1));
      }
      for (int nodes = 1; nodes <= 3; nodes++) {
        String state = "state: { url: \"%s\", user: postgres }\n".formatted(pg.createDatabase());
        results.add(
            measure(
                accounts,
                dir.resolve("pg" + nodes),
                nodes,
                nodes + " node(s), PostgreSQL",
                state + accounts(accounts, proxy.port(), dovecot.lmtpPort()),
                proxy,
                window));
        System.out.println(results.get(results.size() - 1));
      }
      Path sqlite = dir.resolve("sqlite");
      String state = "state: { url: \"jdbc:sqlite:%s\" }\n".formatted(sqlite.resolve("state.db"));
      results.add(
          measure(
              accounts,
              sqlite,
              1,
              "1 node, SQLite (no lease)",
              state + accounts(accounts, proxy.port(), dovecot.lmtpPort()),
              proxy,
              window));
      System.out.println(results.get(results.size() - 1));
    }
    System.out.printf(
        Locale.ROOT,
        "%naccounts %d, latency %d ms each way, window %d s%n",
        accounts,
        latency.toMillis(),
        window.toSeconds());
    results.forEach(System.out::println);
    leaseCost.forEach(System.out::println);
    Result pg1 = results.get(0);
    Result sqlite1 = results.get(results.size() - 1);
    System.out.printf(
        Locale.ROOT,
        "added to a session by the shared state and the lease: %d ms (%.1f%% fewer polls/s)%n",
        pg1.meanSession().minus(sqlite1.meanSession()).toMillis(),
        100 * (1 - pg1.perSecond() / sqlite1.perSecond()));
  }

  /** How many leases {@link #leaseCost} takes and gives back. */
  static final int LEASE_ROUNDS = 300;

  /**
   * What a lease adds to one poll, measured alone: taken (the advisory lock, on a kept connection
   * or, with {@code kept} 0, on a new one with its session set up), checked three times (as before
   * a record, a DELE and the QUIT), given back (and its connection kept or closed); {@code rounds}
   * times on one account, one after the other.
   */
  static String leaseCost(String url, int rounds, int kept) throws IOException {
    try (AdvisoryLeases leases =
        new AdvisoryLeases(
            new PostgresConnector(url, Optional.of("postgres"), Optional.empty(), "bench"), kept)) {
      return leaseCost(leases, rounds, kept);
    }
  }

  private static String leaseCost(AdvisoryLeases leases, int rounds, int kept) throws IOException {
    AccountKey account = AccountKey.of("127.0.0.1", 110, "bench");
    long[] nanos = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      try (Lease lease = leases.tryAcquire(account).orElseThrow()) {
        lease.check();
        lease.check();
        lease.check();
      } catch (Lease.LostException e) {
        throw new IOException(e);
      }
      nanos[i] = System.nanoTime() - start;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    // The first ones load the driver's classes: the median and the 95th percentile say more.
    return String.format(
        Locale.ROOT,
        "lease alone (taken, checked 3 times, given back; %s), %d rounds: median %.2f ms, p95"
            + " %.2f ms, mean %.2f ms (load %s)",
        kept == 0 ? "a new connection each" : "connections kept",
        rounds,
        sorted[rounds / 2] / 1e6,
        sorted[rounds * 95 / 100] / 1e6,
        Arrays.stream(nanos).average().orElse(0) / 1e6,
        load());
  }

  /** The machine's load averages (1, 5, 15 minutes), as uptime shows them. */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The sessions that ended with QUIT in {@code [from, to)}: the polls done. */
  private static List<Session> completed(RecordingPop3Proxy proxy, Instant from, Instant to) {
    return proxy.sessions().stream()
        .filter(
            s ->
                s.quit()
                    && s.login() != null
                    && s.closed() != null
                    && !s.closed().isBefore(from)
                    && s.closed().isBefore(to))
        .toList();
  }

  /** The sum of popfetch_poll_duration_seconds over every account, and the count of polls. */
  private static double[] pollDurations(int port) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    double count = 0;
    for (String line : r.body().split("\n")) {
      String[] f = line.split(" ");
      if (line.startsWith("popfetch_poll_duration_seconds_sum")) {
        sum += Double.parseDouble(f[f.length - 1]);
      } else if (line.startsWith("popfetch_poll_duration_seconds_count")) {
        count += Double.parseDouble(f[f.length - 1]);
      }
    }
    return new double[] {sum, count};
  }

  private static String accounts(int accounts, int pop3Port, int lmtpPort) {
    StringBuilder yaml = new StringBuilder("parallel: 8\nper-server: 8\naccounts:\n");
    for (int i = 0; i < accounts; i++) {
      yaml.append(
          """
            - name: a%1$d
              server: 127.0.0.1
              port: %2$d
              tls: none
              auth: user
              user: a%1$d
              password: pw-a%1$d
              interval: 10s
              deliver: { smtp: { host: 127.0.0.1, port: %3$d, lmtp: true, tls: none, to: [sink@localhost] } }
          """
              .formatted(i, pop3Port, lmtpPort));
    }
    return yaml.toString();
  }

  private static Result measure(
      int accounts,
      Path dir,
      int count,
      String what,
      String yaml,
      RecordingPop3Proxy proxy,
      Duration window)
      throws Exception {
    List<PopfetchNode> nodes = new ArrayList<>();
    try {
      int metricsPort;
      try (RefusingPort free = new RefusingPort()) {
        metricsPort = free.port();
      }
      for (int k = 0; k < count; k++) {
        PopfetchNode n = new PopfetchNode(dir, "node" + k, Map.of(), null);
        // One node alone serves /metrics (several would want the same port).
        n.writeConfig(
            count == 1
                ? "metrics: { listen: \"127.0.0.1:%d\" }\n".formatted(metricsPort) + yaml
                : yaml);
        nodes.add(n);
        n.start();
      }
      // Warm up: until the nodes have polled every account once (the JVMs started, the pools
      // filled, the schedule settled), at most two minutes.
      Instant started = Instant.now();
      Instant warmUpEnd = started.plus(Duration.ofMinutes(2));
      while (Instant.now().isBefore(warmUpEnd)
          && completed(proxy, started, Instant.now()).size() < accounts) {
        for (PopfetchNode n : nodes) {
          if (!n.isAlive()) {
            throw new IOException(n.name() + " ended:\n" + n.logTail());
          }
        }
        Thread.sleep(500); // a benchmark's progress check
      }
      double[] before = count == 1 ? pollDurations(metricsPort) : null;
      Instant from = Instant.now();
      Thread.sleep(window.toMillis());
      Instant to = Instant.now();
      Duration meanPoll = null;
      if (before != null) {
        double[] after = pollDurations(metricsPort);
        double polled = after[1] - before[1];
        meanPoll =
            polled > 0 ? Duration.ofNanos((long) ((after[0] - before[0]) / polled * 1e9)) : null;
      }
      List<Session> polls = completed(proxy, from, to);
      long meanNanos =
          (long)
              polls.stream()
                  .mapToLong(s -> Duration.between(s.login(), s.closed()).toNanos())
                  .average()
                  .orElse(0);
      return new Result(
          what,
          polls.size(),
          polls.size() / (Duration.between(from, to).toMillis() / 1000.0),
          Duration.ofNanos(meanNanos),
          meanPoll,
          load());
    } finally {
      for (PopfetchNode n : nodes) {
        n.stop();
      }
    }
  }
}
