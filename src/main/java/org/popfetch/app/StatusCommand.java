package org.popfetch.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.popfetch.config.ConfigException;
import org.popfetch.config.ConfigLoader;
import org.popfetch.config.PopfetchConfig;
import org.popfetch.control.ControlRequest;
import org.popfetch.net.LogText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code popfetch status}: what the running service reports, as a table: through the control
 * socket, or, if none answers there (a service of an older version), its metrics address.
 */
@Command(
    name = "status",
    description = {
      "Ask the running service how each account fares (through its control socket, else its",
      "metrics address). Exit status: 0 healthy, 1 an account has not been polled successfully",
      "for three intervals, 2 no service answers."
    })
final class StatusCommand implements Callable<Integer> {
  private static final Pattern SAMPLE =
      Pattern.compile("^(popfetch_[a-z_]+)\\{([^}]*)\\} ([0-9.eE+-]+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  @Spec CommandSpec spec;
  @Mixin CommonOptions options;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PopfetchConfig config;
    try {
      Optional<Integer> served =
          ServiceClient.ask(
              options.config,
              ControlRequest.of("status", List.of()),
              ServiceClient.SHORT,
              out,
              err);
      if (served.isPresent()) {
        return served.get();
      }
      config = ConfigLoader.load(options.config, false);
    } catch (AccountRun.Exit e) {
      return e.status;
    } catch (ConfigException e) {
      return AccountRun.failed(e, err);
    }
    if (config.metricsListen().isEmpty()) {
      err.println("popfetch: no service answers on " + config.controlSocket());
      return ExitStatus.SOCKET.code;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://" + config.metricsListen().get();
    String metrics;
    HttpResponse<String> health;
    try {
      metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      health =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      err.println("popfetch: no service answers at " + base + " (" + e.getMessage() + ")");
      return ExitStatus.SOCKET.code;
    }
    printAccounts(out, byAccount(metrics));
    // Whatever answers at the metrics address is not trusted with the terminal either: its
    // lines are escaped one by one, and there are at most as many as a few hundred accounts.
    out.printf("queue: %.0f message(s); health: ", queueDepth(metrics));
    String body = health.body().strip();
    if (body.isEmpty()) {
      out.println();
    }
    body.lines().limit(1_000).forEach(line -> out.println(LogText.sanitize(line)));
    out.flush();
    return health.statusCode() == 200 ? 0 : 1;
  }

  /** The metrics' samples labelled with an account, by account, then by name and result. */
  private static Map<String, Map<String, Double>> byAccount(String metrics) {
    Map<String, Map<String, Double>> byAccount = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches() || Double.isNaN(number(m.group(3)))) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String account = labels.get("account");
      if (account == null) {
        continue;
      }
      String key = m.group(1) + (labels.containsKey("result") ? ":" + labels.get("result") : "");
      byAccount
          .computeIfAbsent(account, a -> new TreeMap<>())
          .merge(key, Double.parseDouble(m.group(3)), Double::sum);
    }
    return byAccount;
  }

  private static double queueDepth(String metrics) {
    double depth = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("popfetch_queue_depth ")) {
        depth = number(line.substring(line.indexOf(' ') + 1));
      }
    }
    return depth;
  }

  private static void printAccounts(PrintWriter out, Map<String, Map<String, Double>> byAccount) {
    out.printf(
        "%-20s %7s %7s %9s %9s  %s%n",
        "ACCOUNT", "POLLS", "FAILED", "FETCHED", "FAILURES", "LAST SUCCESS");
    byAccount.forEach(
        (account, v) -> {
          double ok = v.getOrDefault("popfetch_polls_total:ok", 0.0);
          double all =
              v.entrySet().stream()
                  .filter(e -> e.getKey().startsWith("popfetch_polls_total:"))
                  .mapToDouble(Map.Entry::getValue)
                  .sum();
          double last = v.getOrDefault("popfetch_last_success_timestamp_seconds", 0.0);
          out.printf(
              "%-20s %7.0f %7.0f %9.0f %9.0f  %s%n",
              LogText.sanitize(account),
              all,
              all - ok,
              v.getOrDefault("popfetch_messages_fetched_total", 0.0),
              v.getOrDefault("popfetch_consecutive_failures", 0.0),
              last == 0 ? "never" : Instant.ofEpochSecond((long) last).toString());
        });
  }

  /** A sample's value; NaN if it is none. */
  private static double number(String text) {
    try {
      return Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
