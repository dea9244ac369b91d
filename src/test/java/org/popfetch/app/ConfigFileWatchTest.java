package org.popfetch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    try (ConfigFileWatch watch =
        new ConfigFileWatch(
                file,
                () -> {
                  calls.incrementAndGet();
                  throw new IllegalStateException("scheduler refused");
                })
            .start(Duration.ofMillis(20))) {
      replace(file, "b\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
      replace(file, "c\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2);
    }
  }

  /**
   * Saves as editors and configuration managers do, by rename: a write in place can be seen half
   * done (truncated, then filled), which is two changes of content, not one.
   */
  private static void replace(Path file, String content) throws Exception {
    Path next = file.resolveSibling(file.getFileName() + ".new");
    Files.writeString(next, content);
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
