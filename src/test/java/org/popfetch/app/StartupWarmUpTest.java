package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The warm-up thread starts for a one-shot poll and for nothing else, and ends. */
class StartupWarmUpTest {
  @Test
  void onlyPollWarmsUp() {
    assertThat(StartupWarmUp.startFor("status")).isEmpty();
    assertThat(StartupWarmUp.startFor("--help")).isEmpty();
    assertThat(StartupWarmUp.startFor()).isEmpty();
  }

  @Test
  void aPollWarmsUpOnADaemonThreadThatEnds() throws InterruptedException {
    Optional<Thread> warmUp = StartupWarmUp.startFor("poll", "--config", "popfetch.yaml");

    assertThat(warmUp).hasValueSatisfying(t -> assertThat(t.isDaemon()).isTrue());
    warmUp.get().join(30_000);
    assertThat(warmUp.get().isAlive()).isFalse();
  }
}
