package org.popfetch.schedule;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Caps the connections open to one server at once, across every account that polls it. The thread
 * pool bounds popfetch as a whole; this bounds what one provider sees from it.
 */
public final class ServerSlots {
  /** How often a waiting poll looks whether it should give up instead (a stopping daemon). */
  private static final long RECHECK_MILLIS = 200;

  private final int perServer;
  private final ConcurrentMap<String, Semaphore> servers = new ConcurrentHashMap<>();

  public ServerSlots(int perServer) {
    if (perServer < 1) {
      throw new IllegalArgumentException("perServer must be at least 1, got " + perServer);
    }
    this.perServer = perServer;
  }

  /** A connection's place at its server, given back on close. */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits until fewer than the cap of connections to {@code host}:{@code port} are open.
   *
   * @param giveUp asked while waiting; true ends the wait without a slot
   * @return the slot, or empty if {@code giveUp} said so first
   */
  public Optional<Slot> acquire(String host, int port, BooleanSupplier giveUp)
      throws InterruptedException {
    Semaphore s = semaphore(host, port);
    while (!s.tryAcquire(RECHECK_MILLIS, TimeUnit.MILLISECONDS)) {
      if (giveUp.getAsBoolean()) {
        return Optional.empty();
      }
    }
    AtomicBoolean released = new AtomicBoolean();
    // Closing twice must not hand out a slot that was never taken.
    return Optional.of(
        () -> {
          if (released.compareAndSet(false, true)) {
            s.release();
          }
        });
  }

  /**
   * Runs {@code task} holding a slot at {@code host}:{@code port}.
   *
   * @return its result, or empty if {@code giveUp} said so before a slot was free
   */
  public <R> Optional<R> run(String host, int port, BooleanSupplier giveUp, Supplier<R> task)
      throws InterruptedException {
    Optional<Slot> slot = acquire(host, port, giveUp);
    if (slot.isEmpty()) {
      return Optional.empty();
    }
    try (Slot held = slot.get()) {
      return Optional.of(task.get());
    }
  }

  /** Polls queued for a slot at {@code host}:{@code port} right now, for tests and status. */
  public int waiting(String host, int port) {
    return semaphore(host, port).getQueueLength();
  }

  private Semaphore semaphore(String host, int port) {
    return servers.computeIfAbsent(key(host, port), k -> new Semaphore(perServer, true));
  }

  /** Which server {@code host}:{@code port} is, as the slots count them. */
  static String key(String host, int port) {
    // Host names are case-insensitive; two spellings of one name are one server.
    return host.toLowerCase(Locale.ROOT) + ":" + port;
  }
}
