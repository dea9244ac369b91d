package org.popfetch.schedule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Runs one task per account, {@code parallel} at a time and at most {@code perServer} at once
 * against one server ({@link ServerSlots}): a one-shot pass over many accounts ({@code poll},
 * {@code check}).
 */
public final class ParallelRun {
  private ParallelRun() {}

  /**
   * Runs {@code task} for each item, waiting for all; results in item order.
   *
   * @param host the server an item connects to
   * @param port its port
   * @throws IllegalStateException if a task throws (tasks are expected to report failures in their
   *     result)
   * @throws InterruptedException if interrupted while waiting; the running tasks are interrupted
   */
  public static <T, R> List<R> forEach(
      List<T> items,
      int parallel,
      int perServer,
      Function<T, String> host,
      ToIntFunction<T> port,
      Function<T, R> task)
      throws InterruptedException {
    int threads = Math.max(1, Math.min(parallel, items.size()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    ServerSlots slots = new ServerSlots(perServer);
    try {
      // Those that start at once get their slots here, before any task runs: a later item whose
      // thread is freed early could otherwise take the slot of an earlier one whose thread has
      // not come to it yet, and that one would wait, its session opened ahead idle.
      boolean[] atOnce = atOnce(items, parallel, perServer, host, port);
      ServerSlots.Slot[] held = new ServerSlots.Slot[items.size()];
      for (int i = 0; i < items.size(); i++) {
        if (atOnce[i]) {
          T item = items.get(i);
          // Never waits: no more than perServer of them share a server.
          held[i] =
              slots.acquire(host.apply(item), port.applyAsInt(item), () -> false).orElseThrow();
        }
      }
      List<Future<R>> futures = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        T item = items.get(i);
        ServerSlots.Slot slot = held[i];
        String h = host.apply(item);
        int p = port.applyAsInt(item);
        Callable<R> run =
            slot == null
                ? () -> slots.run(h, p, () -> false, () -> task.apply(item)).orElseThrow()
                : () -> {
                  try (slot) {
                    return task.apply(item);
                  }
                };
        futures.add(pool.submit(run));
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

  /**
   * The items {@link #forEach} starts at once, without waiting for a thread or a server slot: the
   * first {@code parallel}, except those whose server more than {@code perServer} of them share
   * (which of those waits depends on which thread is first).
   */
  public static <T> List<T> startingAtOnce(
      List<T> items, int parallel, int perServer, Function<T, String> host, ToIntFunction<T> port) {
    boolean[] atOnce = atOnce(items, parallel, perServer, host, port);
    List<T> starting = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (atOnce[i]) {
        starting.add(items.get(i));
      }
    }
    return starting;
  }

  private static <T> boolean[] atOnce(
      List<T> items, int parallel, int perServer, Function<T, String> host, ToIntFunction<T> port) {
    int first = Math.max(0, Math.min(parallel, items.size()));
    Map<String, Integer> atServer = new HashMap<>();
    for (int i = 0; i < first; i++) {
      T item = items.get(i);
      atServer.merge(ServerSlots.key(host.apply(item), port.applyAsInt(item)), 1, Integer::sum);
    }
    boolean[] atOnce = new boolean[items.size()];
    for (int i = 0; i < first; i++) {
      T item = items.get(i);
      atOnce[i] =
          atServer.get(ServerSlots.key(host.apply(item), port.applyAsInt(item))) <= perServer;
    }
    return atOnce;
  }
}
