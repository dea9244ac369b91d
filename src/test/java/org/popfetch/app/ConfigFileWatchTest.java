package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileWatchTest {
  @TempDir Path dir;

  @Test
  void callsBackOncePerChangeOfContentNotOfTimestamp() throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.writeString(file, "parallel: 4\n");
    AtomicInteger reloads = new AtomicInteger();
    ConfigFileWatch watch = new ConfigFileWatch(file, reloads::incrementAndGet);

    assertThat(watch.check()).isFalse();
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(watch.check()).as("touched, same bytes").isFalse();

    Files.writeString(file, "parallel: 8\n");
    assertThat(watch.check()).isTrue();
    assertThat(watch.check()).as("the same change is not reported twice").isFalse();
    assertThat(reloads).hasValue(1);
  }

  @Test
  void aFileMissingForAMomentIsNoChangeAndItsReturnWithNewContentIs() throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.writeString(file, "parallel: 4\n");
    AtomicInteger reloads = new AtomicInteger();
    ConfigFileWatch watch = new ConfigFileWatch(file, reloads::incrementAndGet);

    Files.delete(file);
    assertThat(watch.check()).isFalse();
    Files.writeString(file, "parallel: 4\n");
    assertThat(watch.check()).as("back with the same content").isFalse();
    Files.writeString(file, "parallel: 2\n");
    assertThat(watch.check()).isTrue();
    assertThat(reloads).hasValue(1);
  }

  @Test
  void aFailingReloadDoesNotStopTheWatch() throws Exception {
    Path file = dir.resolve("popfetch.yaml");
    Files.writeString(file, "a\n");
    AtomicInteger calls = new AtomicInteger();
    try (ConfigFileWatch watch = new ConfigFileWatch(file, () -> {
          calls.incrementAndGet();
          throw new IllegalStateException("scheduler refused");
        }).start(Duration.ofMillis(20))) {
      Files.writeString(file, "b\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
      Files.writeString(file, "c\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2);
    }
  }
}
