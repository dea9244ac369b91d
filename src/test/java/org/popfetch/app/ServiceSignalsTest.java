package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

class ServiceSignalsTest {
  private static final Signal HANGUP = new Signal("HUP");

  @Test
  void aHangupReloadsAndUninstallingGivesTheSignalAndTheShutdownBack() {
    AtomicInteger reloads = new AtomicInteger();
    AtomicInteger before = new AtomicInteger();
    SignalHandler earlier = Signal.handle(HANGUP, signal -> before.incrementAndGet());
    try {
      ServiceSignals signals = ServiceSignals.install(reloads::incrementAndGet, () -> {});

      Signal.raise(HANGUP);
      await().atMost(Duration.ofSeconds(10)).until(() -> reloads.get() == 1);

      assertThat(signals.uninstall()).as("the shutdown hook was registered").isTrue();
      assertThat(signals.uninstall()).as("and is gone").isFalse();
      Signal.raise(HANGUP);
      await().atMost(Duration.ofSeconds(10)).until(() -> before.get() == 1);
      assertThat(reloads).hasValue(1);
    } finally {
      Signal.handle(HANGUP, earlier);
    }
  }

  /**
   * The JVM's thread for a signal's handler has no context class loader; a reload runs with the
   * application's, as every other thread of the service does.
   */
  @Test
  void aHangupReloadsWithTheApplicationsClassLoader() {
    AtomicReference<Optional<ClassLoader>> seen = new AtomicReference<>();
    SignalHandler earlier = Signal.handle(HANGUP, SignalHandler.SIG_DFL);
    ServiceSignals signals =
        ServiceSignals.install(
            () -> seen.set(Optional.ofNullable(Thread.currentThread().getContextClassLoader())),
            () -> {});
    try {
      Signal.raise(HANGUP);
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() != null);

      assertThat(seen.get()).contains(ServiceSignals.class.getClassLoader());
    } finally {
      signals.uninstall();
      Signal.handle(HANGUP, earlier);
    }
  }
}
