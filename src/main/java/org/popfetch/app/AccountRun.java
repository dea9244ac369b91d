package org.popfetch.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.popfetch.config.AccountConfig;
import org.popfetch.config.ConfigException;
import org.popfetch.config.PopfetchConfig;

/**
 * What {@code poll} and {@code check} share: loading the configuration, choosing the accounts
 * named on the command line, and running one task per account with at most {@code parallel}
 * at a time.
 */
final class AccountRun {
  private AccountRun() {}

  /** Prints a configuration problem and returns the exit status it calls for. */
  static int failed(ConfigException e, PrintWriter err) {
    err.println("popfetch: " + e.getMessage());
    err.flush();
    return statusOf(e).code;
  }

  /** The accounts named, in config order, or all of them; null (after a message) if a name is unknown. */
  static List<AccountConfig> select(PopfetchConfig config, List<String> names, PrintWriter err) {
    if (names == null || names.isEmpty()) {
      return config.accounts();
    }
    for (String n : names) {
      if (config.account(n).isEmpty()) {
        err.println("popfetch: no account named " + n + " in " + config.source());
        return null;
      }
    }
    return config.accounts().stream().filter(a -> names.contains(a.name())).toList();
  }

  /** Runs {@code task} for each account, {@code parallel} at a time; results in account order. */
  static <R> List<R> forEach(List<AccountConfig> accounts, int parallel, Function<AccountConfig, R> task)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, accounts.size())));
    try {
      List<Future<R>> futures = new ArrayList<>();
      for (AccountConfig a : accounts) {
        futures.add(pool.submit(() -> task.apply(a)));
      }
      List<R> results = new ArrayList<>();
      for (Future<R> f : futures) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          throw new IllegalStateException("account task failed unexpectedly", e.getCause());
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Secrets readable by others get fetchmail's "bad permissions" status; the rest is syntax. */
  static ExitStatus statusOf(ConfigException e) {
    return e.getMessage() != null && e.getMessage().contains("chmod 600") ? ExitStatus.PERMISSIONS : ExitStatus.SYNTAX;
  }
}
