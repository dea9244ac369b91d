package org.popfetch.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WatchdogTest {
  @Test
  void thePeriodIsSystemdsForThisProcessOnly() {
    assertThat(Watchdog.period(Map.of("WATCHDOG_USEC", "30000000"), 42))
        .contains(Duration.ofSeconds(30));
    assertThat(Watchdog.period(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42))
        .contains(Duration.ofSeconds(30));
    assertThat(Watchdog.period(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42))
        .as("meant for another process")
        .isEmpty();
    assertThat(Watchdog.period(Map.of(), 42)).isEmpty();
    assertThat(Watchdog.period(Map.of("WATCHDOG_USEC", "soon"), 42)).isEmpty();
    assertThat(Watchdog.period(Map.of("WATCHDOG_USEC", "0"), 42)).isEmpty();
  }

  @Test
  void pingsOnlyWhileProgressIsRecent() {
    Duration period = Duration.ofSeconds(60);
    assertThat(Watchdog.alive(Duration.ofSeconds(5), period)).isTrue();
    assertThat(Watchdog.alive(Duration.ofSeconds(60), period)).isFalse();
    assertThat(Watchdog.alive(Duration.ofMinutes(10), period)).isFalse();
  }

  @Test
  void aFreshHeartbeatIsPingedRepeatedly() {
    AtomicInteger pings = new AtomicInteger();
    Heartbeat heartbeat = new Heartbeat();
    try (Watchdog w = Watchdog.start(pings::incrementAndGet, Duration.ofSeconds(30), heartbeat)) {
      // The first ping goes at once; the next after half the period: only the first is awaited.
      await().atMost(Duration.ofSeconds(10)).until(() -> pings.get() >= 1);
    }
  }

  @Test
  void noSocketNoNotifications() {
    assertThat(SdNotify.from(Map.of()).enabled()).isFalse();
    assertThat(SdNotify.from(Map.of("NOTIFY_SOCKET", "relative/path")).enabled()).isFalse();
    SdNotify.from(Map.of()).ready("nothing happens");
  }

  @Test
  void anAbstractSocketNameStartsWithNul() {
    byte[] addr = SdNotify.sockaddr("@sd-notify").orElseThrow();
    assertThat(addr).hasSize(2 + "@sd-notify".length());
    assertThat(addr[2]).isZero();
    assertThat(SdNotify.sockaddr("/run/systemd/notify").orElseThrow()[2]).isEqualTo((byte) '/');
  }
}
