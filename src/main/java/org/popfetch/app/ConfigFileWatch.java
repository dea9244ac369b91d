package org.popfetch.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when the configuration file's content changes and says so, as fetchmail restarts itself
 * when its rc file is touched. It compares a digest of the content, not the mtime: a {@code touch}
 * or a checkout that rewrites the same bytes reloads nothing, and two edits in one second are not
 * missed. The path is read afresh each time, so a file replaced by rename (as editors and
 * configuration managers save) or a symlink swapped to a new target is seen.
 */
final class ConfigFileWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatch.class);

  /** Configuration files are small; anything larger is left to the loader to refuse. */
  private static final int MAX_BYTES = 4 << 20;

  private final Path file;
  private final Runnable onChange;
  private ScheduledExecutorService timer;
  private byte[] digest;

  ConfigFileWatch(Path file, Runnable onChange) {
    this.file = file;
    this.onChange = onChange;
    this.digest = digest();
  }

  /** Checks every {@code period} on a daemon thread of its own. */
  ConfigFileWatch start(Duration period) {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "popfetch-config-watch");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Calls back once per change of content; a file that is missing for a moment is no change. */
  synchronized boolean check() {
    byte[] now = digest();
    if (now == null || Arrays.equals(now, digest)) {
      return false;
    }
    digest = now;
    LOG.info("{} changed; reloading", file);
    try {
      onChange.run();
    } catch (RuntimeException e) {
      LOG.error("reloading after {} changed: {}", file, e.getMessage());
    }
    return true;
  }

  private byte[] digest() {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] content = in.readNBytes(MAX_BYTES);
      return sha.digest(content);
    } catch (IOException e) {
      return null; // missing or unreadable for a moment, mid-replacement: the next check sees it
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
